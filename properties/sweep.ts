import { availableParallelism } from "node:os";
import cliProgress from "cli-progress";
import fc from "fast-check";
import { InputError } from "../src/errors.js";
import type { ResourcePolicy } from "../src/resources/resource-policy.js";
import type { WorkerKind } from "../src/workers/worker-kinds.js";
import type { WorkerFactory } from "../src/workers/worker-types.js";
import { runScenario } from "../sim/scenario/run-scenario.js";
import { NondeterminismError } from "../sim/scenario/check-determinism.js";
import { safetyCheckNames } from "../sim/scenario/expectations.js";
import { checkNames, type CheckName, type FaultType, type Scenario } from "../sim/scenario/scenario-schema.js";
import { checkCommand, counterexampleScenario, writeCounterexample } from "./counterexample.js";
import { allFaultTypes, scenarioArb } from "./scenario-arbitrary.js";
import { keptMemoryLine, poolAvailable, SweepPool, type KeptMemory } from "./sweep-pool.js";
import { coverageTable, unreached } from "./sweep-coverage.js";
import { breaksSafety, failureOf, runBatch, type RunFailure, type SweepSequence } from "./sweep-batch.js";
import { executeBatches, type ExecutedSweep } from "./sweep-executor.js";
import { sampleAt, withDefaultFastCheck } from "./sequence-jump.js";
import { unsafeWindowStats, type UnsafeWindowStats } from "../sim/report/unsafe-window.js";
import { loadWorker, type LoadedWorker, type WorkerRef } from "./worker-ref.js";

/** The checks a sweep requires not to be violated: the safety of effects. The others are counted, not required. */
export const safetyChecks: readonly CheckName[] = safetyCheckNames;
export { breaksSafety };

/** Options of a sweep. */
export interface SweepOptions {
  /** A reference kind, a WorkerRef (a user's module and export), or a factory with a name (runs in-process). */
  worker: WorkerKind | WorkerRef | { factory: WorkerFactory; name: string };
  /** Length of the generated sequence (all shards together). */
  runs: number;
  seed: number;
  faultTypes?: string[] | undefined;
  /** Where the tasks' effects land. Default "highest-token". */
  resource?: ResourcePolicy | undefined;
  /** Run only the i-th (1-based) of n contiguous slices of the sequence (a CI matrix, an Indexed Job). */
  shard?: { index: number; count: number } | undefined;
  /** Stop dispatching runs after this much wall time (ms); the summary says so. */
  timeBudgetMs?: number | undefined;
  /** Stop early (Ctrl+C); the partial summary is returned. */
  signal?: AbortSignal | undefined;
  /** Directory for counterexample files; none written when undefined. */
  outDir?: string | undefined;
  progress?: boolean;
  log?: (line: string) => void;
  /** Worker threads. Default: one per core when running from the compiled build; 1 (in-process) otherwise. */
  threads?: number;
  /** Keep every run's verdicts in the summary (tests of sharding; memory grows with runs). */
  collectVerdicts?: boolean;
  /** Runs per batch. Default 50. */
  batchSize?: number;
  /** Run every scenario and count, without stopping (or shrinking) at the first counterexample. */
  keepGoing?: boolean | undefined;
  /** Coverage marks every sweep must reach (e.g. `defaultRequiredMarks[kind]`); unreached ones fail it. */
  requireMarks?: string[] | undefined;
}

/** What a sweep found. */
export interface SweepSummary {
  /** The worker's name: a kind, or `file#export`. */
  worker: string;
  seed: number;
  /** The fault types allowed, or null for all. */
  faults: string[] | null;
  resource: ResourcePolicy | null;
  /** The whole sequence's length, and the slice this sweep ran ([from, to) global indexes). */
  sequenceRuns: number;
  shard: { index: number; count: number; from: number; to: number };
  /** Runs judged: a contiguous prefix of the slice, ending at the first counterexample if any. */
  runs: number;
  /** True when a time budget or Ctrl+C stopped it before the end of its slice. */
  interrupted: boolean;
  wallMs: number;
  runsPerSec: number;
  /** How many runs violated each check (before shrinking). */
  violations: Record<CheckName, number>;
  /** How many runs the worker under test failed in: it threw, rejected, left a promise rejection unhandled, or livelocked. */
  workerFailures: number;
  /** How many runs reached each coverage mark (every built-in mark listed, 0 when never reached). */
  coverage: Record<string, number>;
  /** Exclusive-execution overlaps over the runs that had one: count, median, max and the run and scenario of the max. */
  unsafeWindows: UnsafeWindowStats;
  /** Required marks that no run reached, each with the fault that enables it. Non-empty fails the sweep. */
  unreachedMarks: { mark: string; enabledBy: string }[];
  /** Present when sweep threads were replaced because the worker kept memory from run to run (a leak). */
  keptMemory?: KeptMemory;
  /** Every run's verdicts (h/v/n per check), when collectVerdicts was set. */
  verdicts?: string[];
  /** The command that reruns this sweep. */
  command: string;
  counterexample?: {
    /** How the run failed: a safety check was violated, or the worker under test failed (exit 3). */
    kind: RunFailure;
    /** 1-based global index of the generated run that first failed. */
    foundAtRun: number;
    foundAfterMs: number;
    faults: number;
    shrinks: number;
    path: string;
    /** The safety checks the shrunk run violated. */
    failedChecks: CheckName[];
    /** The first violated safety check's detail, or the worker's first failure (host, time, error). */
    detail: string;
    file?: string;
    replay: string;
    scenario: Scenario;
  };
}

function validFaultTypes(list: string[] | undefined): FaultType[] {
  if (!list) return allFaultTypes;
  for (const t of list) {
    if (!(allFaultTypes as string[]).includes(t)) throw new InputError(`--faults: expected a comma-separated list of ${allFaultTypes.join(", ")}; found "${t}"`, { field: "faults" });
  }
  return list as FaultType[];
}

/** The slice [from, to) of shard i/n: contiguous, disjoint, together the whole sequence. */
export function shardRange(runs: number, shard: { index: number; count: number } | undefined): { from: number; to: number } {
  if (!shard) return { from: 0, to: runs };
  if (!(Number.isInteger(shard.count) && shard.count >= 1 && Number.isInteger(shard.index) && shard.index >= 1 && shard.index <= shard.count)) {
    throw new InputError(`--shard: expected i/n with 1 ≤ i ≤ n; found ${shard.index}/${shard.count}`, { field: "shard" });
  }
  // Fewer runs than shards leaves some shard nothing to judge: a CI job that judged nothing.
  if (runs < shard.count) throw new InputError(`--shard ${shard.index}/${shard.count}: expected at least ${shard.count} runs to split; found --runs ${runs}`, { field: "shard" });
  // In integers: index × runs can pass 2^53, where floating point would round a boundary.
  const boundary = (i: number): number => Number((BigInt(i) * BigInt(runs)) / BigInt(shard.count));
  return { from: boundary(shard.index - 1), to: boundary(shard.index) };
}

/** Runs the slice, on threads when it can, folding results in generation order. */
async function sweepPhase(o: { worker: LoadedWorker; options: SweepOptions; sequence: SweepSequence; range: { from: number; to: number }; bar: cliProgress.SingleBar | undefined; t0: number }): Promise<ExecutedSweep & { keptMemory?: KeptMemory }> {
  const { worker, options, t0 } = o;
  const threads = options.threads ?? (poolAvailable() ? availableParallelism() : 1);
  const collectVerdicts = options.collectVerdicts ?? false;
  const pool = threads > 1 && poolAvailable() && worker.ref ? new SweepPool(threads, { sequence: o.sequence, worker: worker.ref, collectVerdicts, inProcess: (spec) => runBatch({ sequence: o.sequence, spec, worker, collectVerdicts }) }) : undefined;
  const rate = (n: number): number => Math.round(n / ((performance.now() - t0) / 1000));
  try {
    const executed = await executeBatches({
      ...o.range,
      batchSize: options.batchSize ?? 50,
      concurrency: pool ? threads : 1,
      collectVerdicts,
      run: (spec) => (pool ? pool.run(spec) : runBatch({ sequence: o.sequence, spec, worker, collectVerdicts })),
      shouldStop: () => Boolean(options.signal?.aborted) || (options.timeBudgetMs !== undefined && performance.now() - t0 > options.timeBudgetMs),
      onProgress: (n) => o.bar?.update(n, { rate: rate(n), status: "sweeping" }),
    });
    const retired = pool?.retired;
    return retired && retired.threads > 0 ? { ...executed, keptMemory: { threadsReplaced: retired.threads, mbMax: Math.round(retired.liveMbMax) } } : executed;
  } finally {
    await pool?.close();
  }
}

/**
 * The property sweep: a generated sequence of `runs` scenarios for one worker (a reference kind
 * or a user's module), or one shard of it; the property is that no safety check is violated. The
 * first failure (in generation order) is shrunk by fast-check to the fewest faults, re-run with
 * full tracing to record its verdicts and trace hash, and written as a scenario file that
 * `locksim replay` reruns exactly.
 */
export async function runSweep(options: SweepOptions): Promise<SweepSummary> {
  const log = options.log ?? (() => undefined);
  const faultTypes = validFaultTypes(options.faultTypes);
  const range = shardRange(options.runs, options.shard);
  const w = options.worker;
  const worker: LoadedWorker = typeof w === "object" && "factory" in w ? { ref: undefined, name: w.name, factory: w.factory } : await loadWorker(typeof w === "string" ? { kind: w } : w);
  const sequence: SweepSequence = { seed: options.seed, workerName: worker.name, faultTypes, resource: options.resource, keepGoing: options.keepGoing };
  const bar = options.progress ? new cliProgress.SingleBar({ format: "  {bar} {value}/{total} runs | {rate} runs/s | {status}", stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
  bar?.start(range.to - range.from, 0, { rate: 0, status: "sweeping" });
  const t0 = performance.now();
  const swept = await sweepPhase({ worker, options, sequence, range, bar, t0 });
  const command = checkCommand({ ref: worker.ref, name: worker.name, seed: options.seed, runs: options.runs, faultTypes: options.faultTypes, resource: options.resource }) + (options.shard ? ` --shard ${options.shard.index}/${options.shard.count}` : "");
  const wallMs = performance.now() - t0;
  const summary: SweepSummary = {
    worker: worker.name,
    seed: options.seed,
    faults: options.faultTypes ?? null,
    resource: options.resource ?? null,
    sequenceRuns: options.runs,
    shard: { index: options.shard?.index ?? 1, count: options.shard?.count ?? 1, ...range },
    runs: swept.ran,
    interrupted: swept.interrupted,
    wallMs: Math.round(wallMs),
    runsPerSec: Math.round((swept.ran / wallMs) * 1000),
    violations: swept.violations,
    workerFailures: swept.workerFailures,
    coverage: coverageTable(swept.marks),
    unsafeWindows: overlapStats(swept.overlaps, sequence),
    unreachedMarks: unreached(options.requireMarks, swept.marks),
    ...(swept.verdicts ? { verdicts: swept.verdicts } : {}),
    ...(swept.keptMemory ? { keptMemory: swept.keptMemory } : {}),
    command,
  };
  if (swept.firstFailure === undefined) {
    bar?.stop();
    // Under --keep-going no run stops the sweep, so the counts are the verdict (the exit code says so too).
    const broken = safetyChecks.filter((c) => swept.violations[c] > 0);
    const verdict = swept.ran === 0 ? "NOTHING JUDGED (no run ended)" : broken.length === 0 ? `no safety check violated (${safetyChecks.join(", ")})` : `SAFETY VIOLATED: ${broken.map((c) => `${c} in ${swept.violations[c]} run(s)`).join(", ")} (--keep-going judges every run and shrinks none; run without it for the first counterexample)`;
    log(`${worker.name}: ${swept.ran} runs${swept.interrupted ? " (stopped early)" : ""}, ${verdict}; ${summary.runsPerSec} runs/s; seed ${options.seed}`);
    if (swept.workerFailures > 0) log(`  WORKER FAILED in ${swept.workerFailures} run(s): it threw, rejected or left a promise rejection unhandled (--keep-going keeps no example; run without it for one)`);
    log(`  unsafe windows: ${formatOverlapStats(summary.unsafeWindows)}`);
    log(`  also seen: ${checkNames.filter((c) => swept.violations[c] > 0).map((c) => `${c} violated in ${swept.violations[c]} run(s)`).join(", ") || "no other violation"}`);
    logNotes(log, summary);
    return summary;
  }
  bar?.update(swept.ran, { status: `counterexample at run ${swept.firstFailure + 1}, shrinking` });
  // Shrinking can take a minute: say so where no progress bar does (not a terminal).
  if (!bar) log(`${worker.name}: run ${swept.firstFailure + 1} failed; shrinking it to the fewest faults that still fail…`);
  summary.counterexample = await shrinkAndSave({ worker, options, faultTypes, firstFailure: swept.firstFailure, kind: swept.firstFailureKind ?? "safety", foundAfterMs: performance.now() - t0 });
  bar?.stop();
  logCounterexample(log, worker.name, summary.counterexample);
  logNotes(log, summary);
  return summary;
}

// What follows the verdict: required marks never reached (they fail the sweep, so they come last,
// where the reader looks for why it exited 1) and memory the worker kept.
function logNotes(log: (line: string) => void, summary: SweepSummary): void {
  if (summary.keptMemory) log(keptMemoryLine(summary.keptMemory));
  // A sweep that stopped early judged fewer runs than asked: say so, the mark might come later.
  const early = summary.counterexample ? " (the sweep stopped at its first counterexample)" : summary.interrupted ? " (the sweep stopped early)" : "";
  for (const u of summary.unreachedMarks) log(`COVERAGE FAILED: required mark ${u.mark} was never reached in ${summary.runs} run(s)${early}; it needs ${u.enabledBy} (check --faults)`);
}

/** Replays the first failure by its fast-check path, shrinks it, re-runs it traced, writes it. */
async function shrinkAndSave(o: { worker: LoadedWorker; options: SweepOptions; faultTypes: FaultType[]; firstFailure: number; kind: RunFailure; foundAfterMs: number }): Promise<NonNullable<SweepSummary["counterexample"]>> {
  const { worker, options, kind } = o;
  const run = (scenario: Scenario, traceSteps: boolean) => runScenario(scenario, { worker: worker.factory, workerName: worker.name, resource: options.resource, traceSteps });
  // Shrunk runs must fail the same way: a worker failure does not shrink into a safety violation.
  const fails = async (scenario: Scenario): Promise<boolean> => failureOf(await run(scenario, false)) === kind;
  const details = await withDefaultFastCheck(() => {
    const property = fc.asyncProperty(scenarioArb({ worker: worker.name, faultTypes: o.faultTypes }), async (scenario: Scenario) => !(await fails(scenario)));
    // One run, the failing one: with more, a replay that did not fail would go on to the runs after
    // it (750,000 of them at run 750,000) and might shrink another one. The paths are the same.
    return fc.check(property, { seed: options.seed, numRuns: 1, path: String(o.firstFailure) });
  });
  const how = kind === "safety" ? "run broke a safety check in the sweep" : "the worker failed in the run in the sweep";
  if (!details.failed || !details.counterexample) throw new NondeterminismError({ worker: worker.name, seed: options.seed, index: o.firstFailure, first: how, second: "the same generated run did not when replayed by its fast-check path" });
  const shrunk = await preferStagger(details.counterexample[0], fails);
  const rerun = await run(shrunk, true);
  const failedChecks = safetyChecks.filter((c) => rerun.verdicts[c] === "violated");
  const failure = rerun.workerFailures[0];
  const detail = kind === "safety" ? rerun.results[failedChecks[0] ?? "atMostOnce"].detail : failure ? `the worker failed on ${failure.hostId} at t=${failure.atMs}ms: ${failure.message}` : `the worker never let virtual time move (a livelock): ${rerun.boundMessage ?? ""}`;
  const provenance = { ref: worker.ref, name: worker.name, seed: options.seed, runs: options.runs, faultTypes: options.faultTypes, resource: options.resource, path: details.counterexamplePath ?? "", foundAtRun: o.firstFailure + 1 };
  const build = (file: string | undefined): Scenario => counterexampleScenario(shrunk, rerun, provenance, detail, file);
  const file = options.outDir ? await writeCounterexample(options.outDir, build, { name: worker.name, seed: options.seed, traceHash: rerun.traceHash }) : undefined;
  // A worker handed in as a factory is saved by no name a command line can load: say what to add.
  const replay = file ? `locksim replay ${file}${worker.ref ? "" : " --worker-module <the module exporting it>"}` : checkCommand(provenance);
  return { kind, foundAtRun: o.firstFailure + 1, foundAfterMs: Math.round(o.foundAfterMs), faults: shrunk.faults.length, shrinks: details.numShrinks, path: provenance.path, failedChecks, detail, file, replay, scenario: build(file) };
}

/** The overlap distribution; the scenario of the largest is regenerated from its place in the sequence. */
function overlapStats(overlaps: { run: number; overlapMs: number }[], sequence: SweepSequence): UnsafeWindowStats {
  if (overlaps.length === 0) return { count: 0 };
  const placeholder = undefined as unknown as Scenario;
  const stats = unsafeWindowStats(overlaps.map((o) => ({ ...o, scenario: placeholder })));
  const maxScenario = withDefaultFastCheck(() => sampleAt(scenarioArb({ worker: sequence.workerName, faultTypes: sequence.faultTypes }), { seed: sequence.seed, start: stats.maxRun! - 1, count: 1 })[0]);
  return { ...stats, maxScenario };
}

/** The overlap distribution as one line of the sweep log. */
function formatOverlapStats(s: UnsafeWindowStats): string {
  if (s.count === 0) return "no run had two workers on one task at once";
  return `${s.count} run(s) had two workers on one task at once; overlap median ${s.medianMs}ms, max ${s.maxMs}ms (run ${s.maxRun}: ${JSON.stringify(s.maxScenario?.faults)})`;
}

/**
 * Real replays race when both workers start at once: on a real agent either may win the lock. If
 * the counterexample still fails with w1 started a second ahead (so w1, the faulted worker, holds
 * first in both worlds), that version is saved.
 */
async function preferStagger(shrunk: Scenario, fails: (s: Scenario) => Promise<boolean>): Promise<Scenario> {
  if (shrunk.workers.startStaggerMs > 0) return shrunk;
  const staggered: Scenario = { ...shrunk, workers: { ...shrunk.workers, startStaggerMs: 1_000 } };
  return (await fails(staggered)) ? staggered : shrunk;
}

function logCounterexample(log: (line: string) => void, name: string, c: NonNullable<SweepSummary["counterexample"]>): void {
  log(`${name}: ${c.kind === "worker-failed" ? "WORKER FAILED" : "COUNTEREXAMPLE"} after ${c.foundAtRun} run(s) (${c.foundAfterMs}ms), shrunk ${c.shrinks} time(s) to ${c.faults} fault(s)`);
  if (c.kind === "worker-failed") log(`  ${c.detail}${c.failedChecks.length ? `; also violated: ${c.failedChecks.join(", ")}` : ""}`);
  else log(`  violated: ${c.failedChecks.join(", ")}: ${c.detail}`);
  log(`  faults: ${c.scenario.faults.map((f) => JSON.stringify(f)).join(", ") || "none"}`);
  log(`  fast-check path ${c.path}`);
  if (c.file) log(`  saved: ${c.file}`);
  log(`  replay: ${c.replay}`);
}
