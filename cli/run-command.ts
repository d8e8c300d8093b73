import { runScenarioFile, type ScenarioFileRun } from "../properties/run-scenario-file.js";
import type { WorkerRef } from "../properties/worker-ref.js";
import { formatTimeline, formatVerdicts } from "../sim/report/timeline.js";
import type { Scenario } from "../sim/scenario/scenario-schema.js";
import { exitCodes, WorkerFailedError } from "./exit-codes.js";
import { marksOf } from "../sim/coverage/coverage-marks.js";
import { runWindowsJson, writeRunsHtml } from "./html-output.js";
import { judgeMode, type RunFlags } from "./options.js";
import { workerFailed } from "../properties/sweep-batch.js";

/** The command line that reruns exactly this run: scenario, worker, seed, resource. */
export function replayLine(o: { command: "run" | "replay"; file: string; ref: WorkerRef | undefined; seed: number | string | undefined; flags: RunFlags }): string {
  const worker = !o.ref ? "" : "kind" in o.ref ? ` --worker ${o.ref.kind}` : ` --worker-module ${o.flags.workerModule ?? o.ref.module}`;
  const parts = [`locksim ${o.command} ${o.file}`, o.command === "replay" && !o.flags.worker && !o.flags.workerModule ? "" : worker];
  if (o.seed !== undefined) parts.push(` --seed ${String(o.seed)}`);
  if (o.flags.resource) parts.push(` --resource ${o.flags.resource}`);
  return parts.join("");
}

function printRun(file: string, scenario: Scenario, r: ScenarioFileRun, flags: RunFlags, command: "run" | "replay"): void {
  const { run } = r;
  const out = (s: string): boolean => process.stdout.write(s);
  out(`\n== ${scenario.name} · worker ${r.worker} · seed ${String(run.seed)} · resource ${scenario.resource ?? flags.resource ?? "highest-token"}\n   ${scenario.why}\n\n`);
  out(`${formatTimeline(run)}\n\nverdicts:\n${formatVerdicts(run, flags.strict || flags.expectFixed ? undefined : scenario.expect[r.worker])}\n`);
  out(`\ntrace ${run.traceHash} (${run.fleet.world.steps} events, ${run.fleet.world.nowMs}ms virtual, ${run.wallMs.toFixed(0)}ms wall)\n`);
  if (run.boundMessage) out(`run ended early: ${run.boundMessage}\n`);
  if (r.recordedHash) out(r.recordedHash === run.traceHash ? "replay: byte-identical to the recorded trace\n" : `replay: DIFFERS from the recorded trace ${r.recordedHash}\n`);
  // Verdicts of a run whose worker failed are no pass: the failure (exit 3) is reported below.
  const met = workerFailed(r.run) ? `verdicts as expected (${r.judgement.basis}), but THE WORKER FAILED in this run (below; exit 3)` : `expectations met (${r.judgement.basis})`;
  out(r.judgement.ok ? `${met}\n` : `NOT MET (${r.judgement.basis}):\n${r.judgement.mismatches.map((m) => `  MISMATCH ${m}`).join("\n")}\n`);
  out(`replay: ${replayLine({ command, file, ref: r.ref, seed: flags.seed, flags })}\n`);
}

function jsonRun(r: ScenarioFileRun): Record<string, unknown> {
  return {
    worker: r.worker,
    seed: r.run.seed,
    verdicts: r.run.verdicts,
    details: Object.fromEntries(Object.entries(r.run.results).map(([c, res]) => [c, res.detail])),
    traceHash: r.run.traceHash,
    ...(r.recordedHash ? { recordedTraceHash: r.recordedHash, hashMatches: r.hashMatches } : {}),
    ok: r.judgement.ok && r.hashMatches && !workerFailed(r.run),
    mismatches: r.judgement.mismatches,
    expectationBasis: r.judgement.basis,
    marks: [...marksOf(r.run.fleet.world.trace.records)].sort(),
    unsafeWindows: runWindowsJson(r.run),
    stoppedBy: r.run.stoppedBy,
    ...(r.run.boundMessage ? { bound: r.run.boundMessage } : {}),
    ...(r.run.workerFailures.length ? { workerFailures: r.run.workerFailures } : {}),
  };
}

/**
 * `locksim run` and `locksim replay` (in the simulator): runs the scenario for the worker(s),
 * prints the timeline and the verdicts, and judges them (exit 0 met, 1 not met). A worker that
 * threw is the worker's failure (exit 3), reported after its story.
 */
export async function runCommand(file: string, flags: RunFlags, command: "run" | "replay"): Promise<number> {
  const worker = flags.workerModule ?? flags.worker;
  // A user's module is checked for determinism by default: a divergence is the worker's bug, not a verdict.
  const checkDeterminism = flags.checkDeterminism ?? flags.workerModule !== undefined;
  const { scenario, runs } = await runScenarioFile(file, worker, { mode: judgeMode(flags), seed: flags.seed, resource: flags.resource, checkDeterminism });
  const failures = runs.flatMap((r) => r.run.workerFailures.map((f) => `${r.worker} on ${f.hostId} at t=${f.atMs}ms: ${f.message}`));
  const livelocks = runs.filter((r) => r.run.stoppedBy === "sameTimeStepsMax").map((r) => `${r.worker}: ${r.run.boundMessage ?? "livelock"}`);
  const failure = failures.length ? `the worker threw, rejected or left a promise rejection unhandled:\n  ${failures.join("\n  ")}` : livelocks.length ? `the worker never let virtual time move (a livelock):\n  ${livelocks.join("\n  ")}` : undefined;
  if (flags.json) {
    const out = runs.map((r) => ({ ...jsonRun(r), ...(failure ? { error: { kind: "the worker under test failed", exitCode: exitCodes.workerFailed, message: failure } } : {}) }));
    process.stdout.write(`${JSON.stringify(out.length === 1 ? out[0] : out, null, 2)}\n`);
  } else {
    for (const r of runs) printRun(file, scenario, r, flags, command);
  }
  if (flags.html) await writeRunsHtml(flags.html, scenario, runs.map((r) => r.run));
  // The story was printed; the failure is the worker's, not a verdict (exit 3).
  if (failure) throw new WorkerFailedError(failure, { printed: true });
  return runs.every((r) => r.judgement.ok && r.hashMatches) ? exitCodes.met : exitCodes.failed;
}
