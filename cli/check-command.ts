import type { ResourcePolicy } from "../src/resources/resource-policy.js";
import type { WorkerKind } from "../src/workers/worker-kinds.js";
import { runSweep, safetyChecks } from "../properties/sweep.js";
import { loadWorker, workerRefFrom, type WorkerRef } from "../properties/worker-ref.js";
import { writeCounterexampleHtml } from "./html-output.js";
import { defaultRequiredMarks } from "../sim/coverage/coverage-marks.js";
import { InputError } from "../src/errors.js";
import { exitCodes } from "./exit-codes.js";
import { mergeSummaryFiles } from "../properties/merge-summaries.js";
import { sweepSeed } from "./options.js";
import type { CheckName } from "../sim/scenario/scenario-schema.js";

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
 * violated, 1 with a shrunk counterexample saved and its replay command printed.
 */
export async function checkCommand(flags: CheckFlags, signal?: AbortSignal): Promise<number> {
  const ref = workerRefFrom({ kind: flags.worker, module: flags.workerModule });
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
  if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else if (summary.interrupted) process.stdout.write(`stopped early: ${summary.runs} of ${summary.shard.to - summary.shard.from} run(s) judged (partial summary above)\n`);
  return sweepExitCode(summary);
}

/** What decides a sweep's exit code, an unsharded one's or a merge's. */
interface SweepOutcome {
  counterexample?: unknown;
  violations: Record<CheckName, number>;
  unreachedMarks: readonly unknown[];
}

/** The safety checks a sweep saw violated: with a counterexample, or counted under --keep-going (which keeps none). */
function brokenSafetyChecks(s: SweepOutcome): CheckName[] {
  return safetyChecks.filter((c) => (s.violations[c] ?? 0) > 0);
}

/**
 * Exit 1 when a safety check was violated, whether a counterexample was kept or only counted
 * (--keep-going judges every run and keeps none), or when a required mark was never reached.
 * `merge` answers as the unsharded sweep would.
 */
function sweepExitCode(s: SweepOutcome): number {
  const unsafe = s.counterexample !== undefined || brokenSafetyChecks(s).length > 0;
  return unsafe || s.unreachedMarks.length ? exitCodes.failed : exitCodes.met;
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
    const c = merged.counterexample;
    const broken = brokenSafetyChecks(merged);
    if (c) process.stdout.write(`first counterexample at run ${c.foundAtRun}: ${c.failedChecks.join(", ")}: ${c.detail}\n  replay: ${c.replay}\n`);
    else if (broken.length > 0) process.stdout.write(`SAFETY VIOLATED: ${broken.map((k) => `${k} in ${merged.violations[k]} run(s)`).join(", ")} (the shards ran with --keep-going, which shrinks none)\n`);
    else process.stdout.write("no safety check violated\n");
  }
  return sweepExitCode(merged);
}
