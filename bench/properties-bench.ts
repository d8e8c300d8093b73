import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { scenarioArb } from "../properties/scenario-arbitrary.js";
import { runSweep } from "../properties/sweep.js";
import { tuneForSweeps } from "../properties/sweep-tuning.js";
import { runScenario } from "../sim/scenario/run-scenario.js";
import { workerKinds, type WorkerKind } from "../src/workers/worker-kinds.js";
import { SweepPool } from "../properties/sweep-pool.js";
import { executeBatches } from "../properties/sweep-executor.js";
import { allFaultTypes } from "../properties/scenario-arbitrary.js";
import type { WorkerRef } from "../properties/worker-ref.js";

/** Runs per wall second of `runs` generated scenarios for one worker, on `threads` threads, never stopping at a failure. */
export async function sweepRate(worker: WorkerRef, name: string, runs: number, threads: number): Promise<number> {
  return (await sweepRates(worker, name, runs, threads)).perSec;
}

/** `sweepRate`, and the runs per second of CPU time of the whole process (every thread's user + system time). */
export async function sweepRates(worker: WorkerRef, name: string, runs: number, threads: number): Promise<{ perSec: number; perCpuSec: number }> {
  const pool = new SweepPool(threads, { sequence: { seed: 7, workerName: name, faultTypes: allFaultTypes, keepGoing: true }, worker, collectVerdicts: false });
  try {
    await executeBatches({ from: 0, to: Math.min(200, runs), batchSize: 50, concurrency: threads, run: (spec) => pool.run(spec), shouldStop: () => false }); // warm-up
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await executeBatches({ from: 0, to: runs, batchSize: 50, concurrency: threads, run: (spec) => pool.run(spec), shouldStop: () => false });
    const cpu = process.cpuUsage(cpu0);
    return { perSec: Math.round((runs / (performance.now() - t0)) * 1000), perCpuSec: Math.round((runs / (cpu.user + cpu.system)) * 1e6) };
  } finally {
    await pool.close();
  }
}
import { availableParallelism, loadavg } from "node:os";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Result of the properties benchmark (issue 5). */
export interface PropertiesBenchResult {
  /** Generated runs per wall second, as `locksim check` runs them (one worker thread per core). */
  runsPerSec: Record<WorkerKind, number>;
  /** The same sweeps' runs per second of CPU time (all threads): less sensitive than wall time to other jobs on the machine. */
  runsPerCpuSec: Record<WorkerKind, number>;
  /** The machine's 1-minute load average when the benchmark started and ended. */
  loadAverage1m: [number, number];
  /** The same on one thread. */
  runsPerSecSingleThread: Record<WorkerKind, number>;
  threads: number;
  runsMeasured: number;
  customWorkerModule: { module: string; runsPerSec: number; builtInFencedRunsPerSec: number };
  /**
   * A whole fenced sweep as `locksim check --worker fenced --runs N --keep-going` runs it: threads
   * started cold, their first runs spent compiling, then the rest (runsPerSec above excludes the
   * threads' start and a 200-run warm-up).
   */
  fencedColdSweep: { runs: number; runsPerSec: number; cpuSec: number };
  apiLockPartitionTimeToCounterexample: { seeds: number; medianRuns: number; medianWallMs: number; all: { seed: number; runs: number; wallMs: number }[] };
  naiveTimeToCounterexample: { seeds: number; medianRuns: number; medianWallMs: number; maxRuns: number; all: { seed: number; runs: number; wallMs: number }[] };
  workload: string;
}

/**
 * Runs per second: `runs` generated scenarios (every fault type allowed, the sweep's settings)
 * per worker kind, after a warm-up. Time to the first counterexample: the naive sweep over 20
 * seeds, until its first failing run (shrinking excluded).
 */
export async function benchProperties(options: { runs?: number; seeds?: number } = {}): Promise<PropertiesBenchResult> {
  const runs = options.runs ?? 3_000;
  const threads = availableParallelism();
  // As `locksim check` runs its sweeps (properties/sweep-tuning.ts).
  tuneForSweeps();
  const loadStart = loadavg()[0]!;
  const runsPerSec = {} as Record<WorkerKind, number>;
  const runsPerCpuSec = {} as Record<WorkerKind, number>;
  const runsPerSecSingleThread = {} as Record<WorkerKind, number>;
  for (const kind of Object.keys(workerKinds) as WorkerKind[]) {
    const scenarios = fc.sample(scenarioArb({ worker: kind }), { seed: 7, numRuns: runs });
    ({ perSec: runsPerSec[kind], perCpuSec: runsPerCpuSec[kind] } = await sweepRates({ kind }, kind, runs, threads));
    const single = scenarios.slice(0, 1_000);
    for (const s of single.slice(0, 100)) await runScenario(s, { worker: kind, traceSteps: false });
    const t0 = performance.now();
    for (const s of single) await runScenario(s, { worker: kind, traceSteps: false });
    runsPerSecSingleThread[kind] = Math.round((single.length / (performance.now() - t0)) * 1000);
  }
  // A user's worker module of the same shape as the built-in fenced worker (acquireFencedLock and
  // the job runner), loaded from TypeScript by tsx on each thread: what `--worker-module` costs.
  const customModule = fileURLToPath(new URL("../../examples/workers/modify-index-worker.ts", import.meta.url));
  const customWorkerModule = { module: "examples/workers/modify-index-worker.ts", runsPerSec: await sweepRate({ module: customModule, export: "default" }, "modify-index-worker", runs, threads), builtInFencedRunsPerSec: runsPerSec.fenced };
  const cpu0 = process.cpuUsage();
  const cold = await runSweep({ worker: "fenced", runs, seed: 1, keepGoing: true });
  const cpu = process.cpuUsage(cpu0);
  const fencedColdSweep = { runs: cold.runs, runsPerSec: cold.runsPerSec, cpuSec: Math.round((cpu.user + cpu.system) / 1e4) / 100 };
  const partitionOnly: { seed: number; runs: number; wallMs: number }[] = [];
  for (let seed = 1; seed <= (options.seeds ?? 20); seed++) {
    const s = await runSweep({ worker: "consul-api-lock", runs: 5_000, seed, faultTypes: ["partition"] });
    partitionOnly.push({ seed, runs: s.counterexample?.foundAtRun ?? Infinity, wallMs: s.counterexample?.foundAfterMs ?? Infinity });
  }
  const all: { seed: number; runs: number; wallMs: number }[] = [];
  for (let seed = 1; seed <= (options.seeds ?? 20); seed++) {
    const s = await runSweep({ worker: "naive", runs: 2_000, seed });
    all.push({ seed, runs: s.counterexample?.foundAtRun ?? Infinity, wallMs: s.counterexample?.foundAfterMs ?? Infinity });
  }
  return {
    runsPerSec,
    runsPerCpuSec,
    loadAverage1m: [Math.round(loadStart * 10) / 10, Math.round(loadavg()[0]! * 10) / 10],
    runsPerSecSingleThread,
    threads,
    runsMeasured: runs,
    customWorkerModule,
    fencedColdSweep,
    apiLockPartitionTimeToCounterexample: { seeds: partitionOnly.length, medianRuns: median(partitionOnly.map((a) => a.runs)), medianWallMs: median(partitionOnly.map((a) => a.wallMs)), all: partitionOnly },
    naiveTimeToCounterexample: {
      seeds: all.length,
      medianRuns: median(all.map((a) => a.runs)),
      medianWallMs: median(all.map((a) => a.wallMs)),
      maxRuns: Math.max(...all.map((a) => a.runs)),
      all,
    },
    workload: "generated scenarios (swarm: 2-4 workers, 1-4 tasks of 5-60s, TTL 10-20s, 0-4 faults of any type), step tracing off as in `locksim check`; runsPerSec over 3,000 runs on one thread per core after a 200-run warm-up on the same threads (thread start-up excluded), single-thread over 1,000 after 100 warm-up runs; time to the first counterexample is runSweep's own (from the start of the sweep, threads included), seeds one after the other in one process",
  };
}
