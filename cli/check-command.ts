import type { ResourcePolicy } from "../src/resources/resource-policy.js";
import type { WorkerKind } from "../src/workers/worker-kinds.js";
import { runSweep, safetyChecks } from "../properties/sweep.js";
import { keptMemoryLine } from "../properties/sweep-pool.js";
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
  checkFlagConflicts(flags);
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
  else if (summary.interrupted) process.stdout.write(`${stoppedLine(summary, flags, signal)}\n`);
  // A sweep that judged no run says nothing about the worker: not a pass.
  if (summary.runs === 0 && !signal?.aborted) return exitCodes.badInput;
  return sweepExitCode(summary);
}

// Why a sweep ended before the end of its slice: the time budget, or Ctrl+C / SIGTERM.
function stoppedLine(summary: { runs: number; shard: { from: number; to: number } }, flags: CheckFlags, signal: AbortSignal | undefined): string {
  const slice = summary.shard.to - summary.shard.from;
  // Without --runs a time budget sweeps an endless sequence: there is no "of N" to say.
  const of = slice === Number.MAX_SAFE_INTEGER ? "" : ` of ${slice}`;
  const budget = flags.timeBudget === undefined ? "none" : formatDuration(flags.timeBudget);
  if (summary.runs === 0) return `NOTHING JUDGED: the sweep stopped before its first run ended${signal?.aborted ? "" : ` (--time-budget ${budget}); give it more time`}`;
  if (signal?.aborted) return `stopped early: ${summary.runs}${of} run(s) judged (partial summary above)`;
  return `time budget of ${budget} reached: ${summary.runs}${of} run(s) judged (summary above)`;
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

/**
 * Flags that cannot go together. A time budget without --runs sweeps an endless sequence, which
 * has no slices: shard 2/2 of it would start at run 4.5 × 10^15.
 */
function checkFlagConflicts(flags: CheckFlags): void {
  if (flags.worker !== undefined && flags.workerModule !== undefined) {
    throw new InputError(`--worker and --worker-module: expected one worker to sweep; found both (--worker ${flags.worker}, --worker-module ${flags.workerModule})`, { field: "worker" });
  }
  if (flags.shard && flags.timeBudget !== undefined && flags.runs === Number.MAX_SAFE_INTEGER) {
    throw new InputError(`--shard ${flags.shard.index}/${flags.shard.count} with --time-budget: expected --runs too (the shards split a sequence of that many runs; a time budget alone has no end to split); found no --runs`, { field: "shard" });
  }
}

/** `--require-marks a,b`, or `default`: the reference kind's default set. */
function requiredMarks(flag: string | undefined, ref: WorkerRef): string[] | undefined {
  if (flag === undefined) return undefined;
  if (flag !== "default") {
    const marks = flag.split(",").map((s) => s.trim()).filter(Boolean);
    if (marks.length === 0) throw new InputError(`--require-marks: expected a comma-separated list of mark names, or "default"; found "${flag}"`, { field: "require-marks" });
    return marks;
  }
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
    if (merged.interrupted) process.stdout.write(`INCOMPLETE: some shards stopped early (a time budget or Ctrl+C): ${merged.runs} of ${merged.sequenceRuns} run(s) judged, so the counts are not the whole sweep's\n`);
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

// A duration in the largest unit that states it exactly, as --time-budget takes it (10m, 90s, 500ms).
function formatDuration(ms: number): string {
  for (const [unit, size] of [["h", 3_600_000], ["m", 60_000], ["s", 1_000]] as const) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
