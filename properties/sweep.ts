import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import cliProgress from "cli-progress";
import fc from "fast-check";
import type { WorkerKind } from "../src/workers/worker-kinds.js";
import { runScenario } from "../sim/scenario/run-scenario.js";
import { checkNames, type CheckName, type FaultType, type Scenario, type Verdict } from "../sim/scenario/scenario-schema.js";
import { allFaultTypes, scenarioArb } from "./scenario-arbitrary.js";
import { InputError } from "../src/errors.js";
import { poolAvailable, runInPool } from "./sweep-pool.js";
import { availableParallelism } from "node:os";
import { largestOverlapOf, unsafeWindowStats, type UnsafeWindowStats } from "../sim/report/unsafe-window.js";

/** The checks a sweep requires to hold: the safety of effects. The others are counted, not required. */
export const safetyChecks: CheckName[] = ["atMostOnce", "fencing", "modelInvariants"];

/** Options of a sweep. */
export interface SweepOptions {
  worker: WorkerKind;
  runs: number;
  seed: number;
  faultTypes?: string[] | undefined;
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
  worker: WorkerKind;
  seed: number;
  runs: number;
  wallMs: number;
  runsPerSec: number;
  /** How many generated runs violated each check (before shrinking). */
  violations: Record<CheckName, number>;
  /** Exclusive-execution overlaps over the runs that had one: count, median, max and the run of the max. */
  unsafeWindows: UnsafeWindowStats;
  counterexample?: {
    /** 1-based index of the generated run that first failed. */
    foundAtRun: number;
    foundAfterMs: number;
    faults: number;
    shrinks: number;
    path: string;
    failedChecks: CheckName[];
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

/**
 * The property sweep: `runs` generated scenarios for one worker kind; the property is that the
 * safety checks hold. A failure is shrunk by fast-check to the fewest faults, re-run to record its
 * verdicts and trace hash, and written as a scenario file that `locksim replay` reruns exactly.
 */
export async function runSweep(options: SweepOptions): Promise<SweepSummary> {
  const log = options.log ?? (() => undefined);
  const faultTypes = validFaultTypes(options.faultTypes);
  const violations = Object.fromEntries(checkNames.map((c) => [c, 0])) as Record<CheckName, number>;
  const bar = options.progress ? new cliProgress.SingleBar({ format: "  {bar} {value}/{total} runs | {rate} runs/s | {status}", stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
  bar?.start(options.runs, 0, { rate: 0, status: "sweeping" });
  const t0 = performance.now();
  let calls = 0;
  let generated = 0;
  let shrinking = false;
  let foundAtRun = 0;
  let foundAfterMs = 0;
  const overlaps: { overlapMs: number; run: number; scenario: Scenario }[] = [];
  const property = fc.asyncProperty(scenarioArb({ worker: options.worker, faultTypes }), async (scenario: Scenario) => {
    calls++;
    if (!shrinking) generated++;
    // Step records are left out while sweeping: the checkers do not read them, and it is faster.
    const run = await runScenario(scenario, { worker: options.worker, traceSteps: false });
    if (!shrinking) for (const c of checkNames) if (run.verdicts[c] === "violated") violations[c]++;
    const overlapMs = shrinking ? undefined : largestOverlapOf(run);
    if (overlapMs !== undefined) overlaps.push({ overlapMs, run: generated, scenario });
    const ok = safetyChecks.every((c) => run.verdicts[c] !== "violated");
    if (!ok && !shrinking) {
      shrinking = true;
      foundAtRun = generated;
      foundAfterMs = performance.now() - t0;
    }
    bar?.update(shrinking ? foundAtRun : generated, { rate: Math.round(calls / ((performance.now() - t0) / 1000)), status: shrinking ? `counterexample at run ${foundAtRun}, shrinking (${calls - foundAtRun} tries)` : "sweeping" });
    return ok;
  });
  const arb = scenarioArb({ worker: options.worker, faultTypes });
  const threads = options.threads ?? (poolAvailable() ? availableParallelism() : 1);
  let details: fc.RunDetails<[Scenario]>;
  if (threads > 1 && poolAvailable()) {
    // Parallel sweep: the same scenarios fast-check would generate (same seed), run on threads;
    // the first failure (in generation order) is then replayed by path and shrunk here.
    const scenarios = fc.sample(arb, { seed: options.seed, numRuns: options.runs });
    const failed = (v: Record<CheckName, Verdict>): boolean => safetyChecks.some((c) => v[c] === "violated");
    const pooled = await runInPool({ worker: options.worker, scenarios, threads, failed, onProgress: (n) => bar?.update(n, { rate: Math.round(n / ((performance.now() - t0) / 1000)), status: "sweeping" }) });
    calls = pooled.verdicts.length;
    generated = pooled.verdicts.length;
    for (const v of pooled.verdicts) for (const c of checkNames) if (v[c] === "violated") violations[c]++;
    pooled.overlapsMs.forEach((overlapMs, i) => overlapMs !== null && overlaps.push({ overlapMs, run: i + 1, scenario: scenarios[i]! }));
    if (pooled.firstFailure === undefined) {
      details = { failed: false, counterexample: null, counterexamplePath: null, numShrinks: 0 } as unknown as fc.RunDetails<[Scenario]>;
    } else {
      foundAtRun = pooled.firstFailure + 1;
      foundAfterMs = performance.now() - t0;
      shrinking = true;
      details = await fc.check(property, { seed: options.seed, numRuns: options.runs, path: String(pooled.firstFailure) });
    }
  } else {
    details = await fc.check(property, { seed: options.seed, numRuns: options.runs });
  }
  bar?.stop();
  const wallMs = performance.now() - t0;
  const summary: SweepSummary = {
    worker: options.worker,
    seed: options.seed,
    runs: generated,
    wallMs: Math.round(wallMs),
    runsPerSec: Math.round((calls / wallMs) * 1000),
    violations,
    unsafeWindows: unsafeWindowStats(overlaps),
  };
  if (!details.failed || !details.counterexample) {
    log(`${options.worker}: ${generated} runs, every safety check held (${safetyChecks.join(", ")}); ${summary.runsPerSec} runs/s; seed ${options.seed}`);
    log(`  unsafe windows: ${formatOverlapStats(summary.unsafeWindows)}`);
    log(`  also seen: ${checkNames.filter((c) => violations[c] > 0).map((c) => `${c} violated in ${violations[c]} run(s)`).join(", ") || "no other violation"}`);
    return summary;
  }
  const shrunk = details.counterexample[0];
  const rerun = await runScenario(shrunk, { worker: options.worker });
  const failedChecks = safetyChecks.filter((c) => rerun.verdicts[c] === "violated");
  const scenario: Scenario = {
    ...shrunk,
    name: `counterexample-${options.worker}-${options.seed}`,
    why: `Found by 'locksim check --worker ${options.worker} --seed ${options.seed}' (fast-check path ${details.counterexamplePath}); shrunk to ${shrunk.faults.length} fault(s). ${rerun.results[failedChecks[0] ?? "atMostOnce"].detail}.`,
    expect: { [options.worker]: rerun.verdicts },
    traceHashes: { [options.worker]: rerun.traceHash },
  };
  let file: string | undefined;
  if (options.outDir) {
    await mkdir(options.outDir, { recursive: true });
    file = join(options.outDir, `${options.worker}-seed${options.seed}-${rerun.traceHash.slice(0, 8)}.json`);
    await writeFile(file, `${JSON.stringify(scenario, null, 2)}\n`);
  }
  const replay = file ? `locksim replay ${file}` : `locksim check --worker ${options.worker} --seed ${options.seed} --runs ${options.runs}`;
  summary.counterexample = { foundAtRun, foundAfterMs: Math.round(foundAfterMs), faults: shrunk.faults.length, shrinks: details.numShrinks, path: details.counterexamplePath ?? "", failedChecks, file, replay, scenario };
  log(`${options.worker}: COUNTEREXAMPLE after ${foundAtRun} run(s) (${Math.round(foundAfterMs)}ms), shrunk ${details.numShrinks} time(s) to ${shrunk.faults.length} fault(s)`);
  log(`  violated: ${failedChecks.map((c) => `${c}: ${rerun.results[c].detail}`).join("; ")}`);
  log(`  unsafe windows: ${formatOverlapStats(summary.unsafeWindows)}`);
  log(`  faults: ${shrunk.faults.map((f) => JSON.stringify(f)).join(", ") || "none"}`);
  log(`  seed ${options.seed}, fast-check path ${details.counterexamplePath}`);
  if (file) log(`  saved: ${file}`);
  log(`  replay: ${replay}`);
  return summary;
}

/** The overlap distribution as one line of the sweep log. */
function formatOverlapStats(s: UnsafeWindowStats): string {
  if (s.count === 0) return "no run had two workers on one task at once";
  return `${s.count} run(s) had two workers on one task at once; overlap median ${s.medianMs}ms, max ${s.maxMs}ms (run ${s.maxRun}: ${JSON.stringify(s.maxScenario?.faults)})`;
}
