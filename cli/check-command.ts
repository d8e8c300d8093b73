import type { ResourcePolicy } from "../src/resources/resource-policy.js";
import type { WorkerKind } from "../src/workers/worker-kinds.js";
import { keptMemoryLine, runSweep, safetyChecks } from "../properties/sweep.js";
import { loadWorker, workerRefFrom, type WorkerRef } from "../properties/worker-ref.js";
import { writeCounterexampleHtml } from "./html-output.js";
import { defaultRequiredMarks } from "../sim/coverage/coverage-marks.js";
import { InputError } from "../src/errors.js";
import { exitCodes } from "./exit-codes.js";
import { mergeSummaryFiles } from "../properties/merge-summaries.js";
import { sweepSeed } from "./options.js";
import type { CheckName } from "../sim/scenario/scenario-schema.js";
import type { RunFailure } from "../properties/sweep-batch.js";
import { tuneForSweeps } from "../properties/sweep-tuning.js";
import { StoppedByRejection } from "./shutdown.js";

/** Flags of `locksim check`. */
export interface CheckFlags {
  worker?: WorkerKind;
  workerModule?: string;
  runs: number;
  seed?: number | string;
  faults?: string;
  resource?: ResourcePolicy;
  out: string;
  json?: boolean;
  threads?: number;
  shard?: { index: number; count: number };
  timeBudget?: number;
  requireMarks?: string;
  html?: string;
  keepGoing?: boolean;
}

/**
 * `locksim check`: the property sweep over generated workloads and fault plans, for a reference
 * kind or the user's own module (its threads load the module). Exit 0 when no safety check was
 * violated, 1 with a shrunk counterexample saved and its replay command printed, 3 when the worker
 * under test failed in a run (threw, rejected, or left a promise rejection unhandled), that run
 * shrunk and saved the same way.
 */
export async function checkCommand(flags: CheckFlags, signal?: AbortSignal): Promise<number> {
  const ref = workerRefFrom({ kind: flags.worker, module: flags.workerModule });
  tuneForSweeps();
  const summary = await runSweep({
    worker: ref,
    runs: flags.runs,
    seed: sweepSeed(flags.seed),
    faultTypes: flags.faults?.split(",").map((s) => s.trim()),
    resource: flags.resource,
    outDir: flags.out,
    threads: flags.threads,
    shard: flags.shard,
    requireMarks: requiredMarks(flags.requireMarks, ref),
    keepGoing: flags.keepGoing,
    timeBudgetMs: flags.timeBudget,
    signal,
    progress: !flags.json && process.stderr.isTTY,
    log: flags.json ? () => undefined : (line) => process.stdout.write(`${line}\n`),
  });
  if (flags.html) await writeCounterexampleHtml(flags.html, summary, await loadWorker(ref));
  // Stopped by a rejection nothing handled: the error was printed (as JSON with --json), and is the answer.
  if (signal?.reason instanceof StoppedByRejection) return exitCodes.internal;
  if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else if (summary.interrupted) process.stdout.write(`stopped early: ${summary.runs} of ${summary.shard.to - summary.shard.from} run(s) judged (partial summary above)\n`);
  return sweepExitCode(summary);
}

/** What decides a sweep's exit code, an unsharded one's or a merge's. */
interface SweepOutcome {
  counterexample?: { kind: RunFailure };
  violations: Record<CheckName, number>;
  workerFailures: number;
  unreachedMarks: readonly unknown[];
}

/** The safety checks a sweep saw violated: with a counterexample, or counted under --keep-going (which keeps none). */
function brokenSafetyChecks(s: SweepOutcome): CheckName[] {
  return safetyChecks.filter((c) => (s.violations[c] ?? 0) > 0);
}

/**
 * Exit 3 when the worker under test failed, 1 when a safety check was violated or a required mark
 * was never reached. The first failing run in generation order decides (the sweep stops there);
 * under --keep-going, which judges every run and keeps none, a worker failure in any run counts
 * first, as `locksim run` answers a run in which both happened. `merge` answers as the unsharded
 * sweep would.
 */
function sweepExitCode(s: SweepOutcome): number {
  if (s.counterexample) return s.counterexample.kind === "worker-failed" ? exitCodes.workerFailed : exitCodes.failed;
  if (s.workerFailures > 0) return exitCodes.workerFailed;
  return brokenSafetyChecks(s).length > 0 || s.unreachedMarks.length ? exitCodes.failed : exitCodes.met;
}

/** `--require-marks a,b`, or `default`: the reference kind's default set. */
function requiredMarks(flag: string | undefined, ref: WorkerRef): string[] | undefined {
  if (flag === undefined) return undefined;
  if (flag !== "default") return flag.split(",").map((s) => s.trim()).filter(Boolean);
  if (!("kind" in ref)) throw new InputError("--require-marks default: expected a reference --worker (your module has no default set); name the marks instead, e.g. --require-marks session-expired-under-live-holder", { field: "require-marks" });
  return defaultRequiredMarks[ref.kind];
}

/** `locksim merge <summary.json…>`: the shards' summaries combined into the unsharded sweep's. */
export async function mergeCommand(files: string[], flags: { json?: boolean }): Promise<number> {
  const merged = await mergeSummaryFiles(files);
  if (flags.json) process.stdout.write(`${JSON.stringify(merged, null, 2)}\n`);
  else {
    process.stdout.write(`${merged.worker}: ${merged.runs} run(s) over ${files.length} shard(s), seed ${merged.seed}; violations ${JSON.stringify(merged.violations)}\n`);
    for (const line of mergeVerdictLines(merged)) process.stdout.write(`${line}\n`);
    if (merged.keptMemory) process.stdout.write(`${keptMemoryLine(merged.keptMemory)}\n`);
  }
  return sweepExitCode(merged);
}

/** What merge prints of a merged summary. */
type MergedOutcome = SweepOutcome & { counterexample?: { kind: RunFailure; foundAtRun: number; failedChecks: CheckName[]; detail: string; replay: string } };

// What merge says after the counts: the first counterexample, or what --keep-going shards counted.
function mergeVerdictLines(merged: MergedOutcome): string[] {
  const c = merged.counterexample;
  if (c) return [`first counterexample at run ${c.foundAtRun}: ${c.kind === "worker-failed" ? "WORKER FAILED" : c.failedChecks.join(", ")}: ${c.detail}`, `  replay: ${c.replay}`];
  const lines: string[] = [];
  const keptNone = "(the shards ran with --keep-going, which shrinks none)";
  if (merged.workerFailures > 0) lines.push(`WORKER FAILED in ${merged.workerFailures} run(s): it threw, rejected or left a promise rejection unhandled ${keptNone}`);
  const broken = brokenSafetyChecks(merged);
  if (broken.length > 0) lines.push(`SAFETY VIOLATED: ${broken.map((k) => `${k} in ${merged.violations[k]} run(s)`).join(", ")} ${keptNone}`);
  return lines.length ? lines : ["no safety check violated"];
}
