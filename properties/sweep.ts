import { availableParallelism } from "node:os";
import cliProgress from "cli-progress";
import fc from "fast-check";
import { InputError } from "../src/errors.js";
import type { ResourcePolicy } from "../src/resources/resource-policy.js";
import type { WorkerKind } from "../src/workers/worker-kinds.js";
import type { WorkerFactory } from "../src/workers/worker-types.js";
import { runScenario } from "../sim/scenario/run-scenario.js";
import { safetyCheckNames } from "../sim/scenario/expectations.js";
import { checkNames, type CheckName, type FaultType, type Scenario, type Verdict } from "../sim/scenario/scenario-schema.js";
import { checkCommand, counterexampleScenario, writeCounterexample } from "./counterexample.js";
import { allFaultTypes, scenarioArb } from "./scenario-arbitrary.js";
import { poolAvailable, runInPool } from "./sweep-pool.js";
import { loadWorker, type LoadedWorker, type WorkerRef } from "./worker-ref.js";

/** The checks a sweep requires not to be violated: the safety of effects. The others are counted, not required. */
export const safetyChecks: readonly CheckName[] = safetyCheckNames;

/** Whether a run's verdicts break a safety check (not-applicable is no violation). */
export function breaksSafety(verdicts: Record<CheckName, Verdict>): boolean {
  return safetyChecks.some((c) => verdicts[c] === "violated");
}

/** Options of a sweep. */
export interface SweepOptions {
  /** A reference kind, a WorkerRef (a user's module and export), or a factory with a name (runs in-process). */
  worker: WorkerKind | WorkerRef | { factory: WorkerFactory; name: string };
  runs: number;
  seed: number;
  faultTypes?: string[] | undefined;
  /** Where the tasks' effects land. Default "highest-token". */
  resource?: ResourcePolicy | undefined;
  /** Directory for counterexample files; none written when undefined. */
  outDir?: string | undefined;
  progress?: boolean;
  log?: (line: string) => void;
  /**
   * Worker threads for the sweep phase (shrinking stays on the main thread). Default: one per
   * core when running from the compiled build; 1 (in-process) otherwise.
   */
  threads?: number;
}

/** What a sweep found. */
export interface SweepSummary {
  /** The worker's name: a kind, or `file#export`. */
  worker: string;
  seed: number;
  runs: number;
  wallMs: number;
  runsPerSec: number;
  /** How many generated runs violated each check (before shrinking). */
  violations: Record<CheckName, number>;
  /** The command that reruns this sweep. */
  command: string;
  counterexample?: {
    /** 1-based index of the generated run that first failed. */
    foundAtRun: number;
    foundAfterMs: number;
    faults: number;
    shrinks: number;
    path: string;
    failedChecks: CheckName[];
    /** The first violated safety check's detail. */
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

/** The sweep phase: runs the generated scenarios (on threads when it can) until the first failure. */
async function sweepPhase(o: { worker: LoadedWorker; options: SweepOptions; faultTypes: FaultType[]; violations: Record<CheckName, number>; bar: cliProgress.SingleBar | undefined; t0: number }): Promise<{ runs: number; firstFailure: number | undefined }> {
  const { worker, options, violations, bar, t0 } = o;
  const arb = scenarioArb({ worker: worker.name, faultTypes: o.faultTypes });
  const count = (v: Record<CheckName, Verdict>): void => {
    for (const c of checkNames) if (v[c] === "violated") violations[c]++;
  };
  const rate = (n: number): number => Math.round(n / ((performance.now() - t0) / 1000));
  const threads = options.threads ?? (poolAvailable() ? availableParallelism() : 1);
  if (threads > 1 && poolAvailable() && worker.ref) {
    const scenarios = fc.sample(arb, { seed: options.seed, numRuns: options.runs });
    const pooled = await runInPool({ worker: worker.ref, resource: options.resource, scenarios, threads, failed: breaksSafety, onProgress: (n) => bar?.update(n, { rate: rate(n), status: "sweeping" }) });
    pooled.verdicts.forEach(count);
    return { runs: pooled.verdicts.length, firstFailure: pooled.firstFailure };
  }
  const scenarios = fc.sample(arb, { seed: options.seed, numRuns: options.runs });
  for (let i = 0; i < scenarios.length; i++) {
    // Step records are left out while sweeping: the checkers do not read them, and it is faster.
    const run = await runScenario(scenarios[i]!, { worker: worker.factory, workerName: worker.name, resource: options.resource, traceSteps: false });
    count(run.verdicts);
    bar?.update(i + 1, { rate: rate(i + 1), status: "sweeping" });
    if (breaksSafety(run.verdicts)) return { runs: i + 1, firstFailure: i };
  }
  return { runs: scenarios.length, firstFailure: undefined };
}

/**
 * The property sweep: `runs` generated scenarios for one worker (a reference kind or a user's
 * module); the property is that no safety check is violated. The first failure (in generation
 * order) is shrunk by fast-check to the fewest faults, re-run with full tracing to record its
 * verdicts and trace hash, and written as a scenario file that `locksim replay` reruns exactly.
 */
export async function runSweep(options: SweepOptions): Promise<SweepSummary> {
  const log = options.log ?? (() => undefined);
  const faultTypes = validFaultTypes(options.faultTypes);
  const w = options.worker;
  const worker: LoadedWorker = typeof w === "object" && "factory" in w ? { ref: undefined, name: w.name, factory: w.factory } : await loadWorker(typeof w === "string" ? { kind: w } : w);
  const violations = Object.fromEntries(checkNames.map((c) => [c, 0])) as Record<CheckName, number>;
  const bar = options.progress ? new cliProgress.SingleBar({ format: "  {bar} {value}/{total} runs | {rate} runs/s | {status}", stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
  bar?.start(options.runs, 0, { rate: 0, status: "sweeping" });
  const t0 = performance.now();
  const swept = await sweepPhase({ worker, options, faultTypes, violations, bar, t0 });
  const command = checkCommand({ ref: worker.ref, name: worker.name, seed: options.seed, runs: options.runs, faultTypes: options.faultTypes, resource: options.resource });
  const wallMs = performance.now() - t0;
  const summary: SweepSummary = { worker: worker.name, seed: options.seed, runs: swept.runs, wallMs: Math.round(wallMs), runsPerSec: Math.round((swept.runs / wallMs) * 1000), violations, command };
  if (swept.firstFailure === undefined) {
    bar?.stop();
    log(`${worker.name}: ${swept.runs} runs, no safety check violated (${safetyChecks.join(", ")}); ${summary.runsPerSec} runs/s; seed ${options.seed}`);
    log(`  also seen: ${checkNames.filter((c) => violations[c] > 0).map((c) => `${c} violated in ${violations[c]} run(s)`).join(", ") || "no other violation"}`);
    return summary;
  }
  bar?.update(swept.runs, { status: `counterexample at run ${swept.runs}, shrinking` });
  summary.counterexample = await shrinkAndSave({ worker, options, faultTypes, firstFailure: swept.firstFailure, foundAfterMs: performance.now() - t0 });
  bar?.stop();
  logCounterexample(log, worker.name, summary.counterexample);
  return summary;
}

/** Replays the first failure by its fast-check path, shrinks it, re-runs it traced, writes it. */
async function shrinkAndSave(o: { worker: LoadedWorker; options: SweepOptions; faultTypes: FaultType[]; firstFailure: number; foundAfterMs: number }): Promise<NonNullable<SweepSummary["counterexample"]>> {
  const { worker, options } = o;
  const run = (scenario: Scenario, traceSteps: boolean) => runScenario(scenario, { worker: worker.factory, workerName: worker.name, resource: options.resource, traceSteps });
  const property = fc.asyncProperty(scenarioArb({ worker: worker.name, faultTypes: o.faultTypes }), async (scenario: Scenario) => !breaksSafety((await run(scenario, false)).verdicts));
  const details = await fc.check(property, { seed: options.seed, numRuns: options.runs, path: String(o.firstFailure) });
  if (!details.failed || !details.counterexample) throw new Error(`sweep: run ${o.firstFailure + 1} failed on a thread but passed when replayed by its fast-check path: the worker is not deterministic`);
  const shrunk = details.counterexample[0];
  const rerun = await run(shrunk, true);
  const failedChecks = safetyChecks.filter((c) => rerun.verdicts[c] === "violated");
  const provenance = { ref: worker.ref, name: worker.name, seed: options.seed, runs: options.runs, faultTypes: options.faultTypes, resource: options.resource, path: details.counterexamplePath ?? "", foundAtRun: o.firstFailure + 1 };
  const build = (file: string | undefined): Scenario => counterexampleScenario(shrunk, rerun, provenance, failedChecks, file);
  const file = options.outDir ? await writeCounterexample(options.outDir, build, { name: worker.name, seed: options.seed, traceHash: rerun.traceHash }) : undefined;
  const replay = file ? `locksim replay ${file}` : checkCommand(provenance);
  const detail = rerun.results[failedChecks[0] ?? "atMostOnce"].detail;
  return { foundAtRun: o.firstFailure + 1, foundAfterMs: Math.round(o.foundAfterMs), faults: shrunk.faults.length, shrinks: details.numShrinks, path: provenance.path, failedChecks, detail, file, replay, scenario: build(file) };
}

function logCounterexample(log: (line: string) => void, name: string, c: NonNullable<SweepSummary["counterexample"]>): void {
  log(`${name}: COUNTEREXAMPLE after ${c.foundAtRun} run(s) (${c.foundAfterMs}ms), shrunk ${c.shrinks} time(s) to ${c.faults} fault(s)`);
  log(`  violated: ${c.failedChecks.join(", ")}: ${c.detail}`);
  log(`  faults: ${c.scenario.faults.map((f) => JSON.stringify(f)).join(", ") || "none"}`);
  log(`  fast-check path ${c.path}`);
  if (c.file) log(`  saved: ${c.file}`);
  log(`  replay: ${c.replay}`);
}
