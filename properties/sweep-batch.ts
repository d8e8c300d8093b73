import type { ResourcePolicy } from "../src/resources/resource-policy.js";
import { runScenario } from "../sim/scenario/run-scenario.js";
import { checkNames, type CheckName, type FaultType, type Verdict } from "../sim/scenario/scenario-schema.js";
import { safetyCheckNames } from "../sim/scenario/expectations.js";
import { scenarioArb } from "./scenario-arbitrary.js";
import { sampleAt, withDefaultFastCheck } from "./sequence-jump.js";
import { marksOf } from "../sim/coverage/coverage-marks.js";
import { largestOverlapOf } from "../sim/report/unsafe-window.js";
import type { LoadedWorker } from "./worker-ref.js";

/** What defines a sweep's generated sequence: the same inputs give the same scenarios, run for run. */
export interface SweepSequence {
  seed: number;
  /** The swept worker's name (it names generated scenarios). */
  workerName: string;
  faultTypes: FaultType[];
  resource?: ResourcePolicy | undefined;
  /** Benchmarks: run every scenario of the slice, never stop at a failure. */
  keepGoing?: boolean;
}

/** A slice of the sequence: global run indexes [start, start + count). */
export interface BatchSpec {
  start: number;
  count: number;
}

/**
 * How a run failed the sweep's property: a safety check was violated, or the worker under test
 * failed (threw, rejected, left a promise rejection unhandled, in production its process would
 * have died of it, or livelocked: never let virtual time move). A worker failure counts first, as
 * `locksim run` answers it (exit 3).
 */
export type RunFailure = "safety" | "worker-failed";

/** Whether the worker under test failed in the run: it threw, rejected, left a rejection unhandled, or livelocked. */
export function workerFailed(run: { workerFailures: readonly unknown[]; stoppedBy: string }): boolean {
  return run.workerFailures.length > 0 || run.stoppedBy === "sameTimeStepsMax";
}

/** How a run failed the property, if it did. */
export function failureOf(run: { verdicts: Record<CheckName, Verdict>; workerFailures: readonly unknown[]; stoppedBy: string }): RunFailure | undefined {
  if (workerFailed(run)) return "worker-failed";
  return breaksSafety(run.verdicts) ? "safety" : undefined;
}

/** What a batch found. Runs after its first failure are not run. */
export interface BatchResult extends BatchSpec {
  /** Runs actually run (up to and including the first failure). */
  ran: number;
  violations: Record<CheckName, number>;
  /** Runs in which the worker under test failed. */
  workerFailures: number;
  /** Global index of the first run that failed (a safety check, or the worker), if any, and how. */
  firstFailure?: number;
  firstFailureKind?: RunFailure;
  /** The largest exclusive-execution overlap of each run that had one (1-based global run). */
  overlaps: { run: number; overlapMs: number }[];
  /** How many runs reached each coverage mark. */
  marks: Record<string, number>;
  /** Per-run verdicts, one letter per check (h, v, n), when asked for (shard tests). */
  verdicts?: string[];
}

/** Whether a run's verdicts break a safety check (not-applicable is no violation). */
export function breaksSafety(verdicts: Record<CheckName, Verdict>): boolean {
  return safetyCheckNames.some((c) => verdicts[c] === "violated");
}

/** One letter per check, in report order: h(olds), v(iolated), n(ot applicable). */
export function encodeVerdicts(v: Record<CheckName, Verdict>): string {
  return checkNames.map((c) => v[c][0]).join("");
}

/** An empty violation count. */
export function zeroViolations(): Record<CheckName, number> {
  return Object.fromEntries(checkNames.map((c) => [c, 0])) as Record<CheckName, number>;
}

/**
 * Generates and runs one slice of the sequence. Scenario i is fast-check's i-th value for the
 * seed, generated from its index in time independent of it (properties/sequence-jump.ts), so any
 * slice can run anywhere: a thread, a shard on another machine.
 */
export async function runBatch(o: { sequence: SweepSequence; spec: BatchSpec; worker: LoadedWorker; collectVerdicts?: boolean }): Promise<BatchResult> {
  const { sequence, spec } = o;
  const scenarios = withDefaultFastCheck(() => sampleAt(scenarioArb({ worker: sequence.workerName, faultTypes: sequence.faultTypes }), { seed: sequence.seed, start: spec.start, count: spec.count }));
  const result: BatchResult = { ...spec, ran: 0, violations: zeroViolations(), workerFailures: 0, marks: {}, overlaps: [], ...(o.collectVerdicts ? { verdicts: [] } : {}) };
  for (let j = 0; j < scenarios.length; j++) {
    // Step records are left out while sweeping: the checkers do not read them, and it is faster.
    const run = await runScenario(scenarios[j]!, { worker: o.worker.factory, workerName: o.worker.name, resource: sequence.resource, traceSteps: false });
    result.ran++;
    for (const c of checkNames) if (run.verdicts[c] === "violated") result.violations[c]++;
    const failure = failureOf(run);
    if (failure === "worker-failed") result.workerFailures++;
    result.verdicts?.push(encodeVerdicts(run.verdicts));
    const overlapMs = largestOverlapOf(run);
    if (overlapMs !== undefined) result.overlaps.push({ run: spec.start + j + 1, overlapMs });
    for (const m of marksOf(run.fleet.world.trace.records)) result.marks[m] = (result.marks[m] ?? 0) + 1;
    if (failure && !sequence.keepGoing) {
      result.firstFailure = spec.start + j;
      result.firstFailureKind = failure;
      break;
    }
  }
  return result;
}
