// `npm run bench threads`: how a sweep scales from one thread to two on this machine. Each thread
// runs the same generated fenced runs after a warm-up, first one thread alone, then two at once;
// a run costs the same instructions on any thread (callgrind), so the difference is the machine.
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { scenarioArb } from "../properties/scenario-arbitrary.js";
import { runScenario } from "../sim/scenario/run-scenario.js";
import { threadHeapMb } from "../properties/sweep-pool.js";

/** Runs per second of one sweep thread alone, and of each of two running at once. */
export interface ThreadsBenchResult {
  aloneRunsPerSec: number[];
  togetherRunsPerSec: number[];
  /** Both threads' runs per second together, over one thread alone (median of the alone rounds). */
  scaling: number;
  workload: string;
}

const self = fileURLToPath(import.meta.url);
const warmUpRuns = 200;

function thread(runs: number): Promise<number> {
  const w = new Worker(self, { workerData: { runs }, resourceLimits: { maxOldGenerationSizeMb: threadHeapMb } });
  return new Promise<number>((resolve, reject) => {
    w.once("message", (m: number) => void w.terminate().then(() => resolve(m)));
    w.once("error", reject);
  });
}

/** One thread alone, two at once, one alone again (the machine's load drifts; both alone rounds are kept). */
export async function benchThreads(options: { runs?: number } = {}): Promise<ThreadsBenchResult> {
  const runs = options.runs ?? 2_000;
  const first = await thread(runs);
  const together = await Promise.all([thread(runs), thread(runs)]);
  const last = await thread(runs);
  const alone = [first, last];
  return {
    aloneRunsPerSec: alone,
    togetherRunsPerSec: together,
    scaling: Math.round(((together[0]! + together[1]!) / ((first + last) / 2)) * 100) / 100,
    workload: `generated fenced runs (sweep seed 1, step records off), ${runs} per thread after ${warmUpRuns} warm-up runs, each thread with the sweep's heap limit`,
  };
}

// As a thread: warm up, then count.
if (!isMainThread && parentPort && (workerData as { runs?: number } | undefined)?.runs !== undefined) {
  const runs = (workerData as { runs: number }).runs;
  const scenarios = fc.sample(scenarioArb({ worker: "fenced" }), { seed: 1, path: "0", numRuns: warmUpRuns + runs });
  for (const s of scenarios.slice(0, warmUpRuns)) await runScenario(s, { worker: "fenced", traceSteps: false });
  const t0 = performance.now();
  for (const s of scenarios.slice(warmUpRuns)) await runScenario(s, { worker: "fenced", traceSteps: false });
  parentPort.postMessage(Math.round((runs / (performance.now() - t0)) * 1000));
}
