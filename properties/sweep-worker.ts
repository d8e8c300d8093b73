// A worker thread of the parallel sweep: runs the scenarios it is sent and answers their verdicts.
import { parentPort } from "node:worker_threads";
import type { WorkerKind } from "../src/workers/worker-kinds.js";
import { runScenario } from "../sim/scenario/run-scenario.js";
import type { CheckName, Scenario, Verdict } from "../sim/scenario/scenario-schema.js";
import { largestOverlapOf } from "../sim/report/unsafe-window.js";

/** A batch to run. */
export interface SweepBatch {
  batch: number;
  worker: WorkerKind;
  scenarios: Scenario[];
}

/** The verdicts of a batch, in order. */
export interface SweepBatchResult {
  batch: number;
  verdicts: Record<CheckName, Verdict>[];
  /** Per scenario: its largest exclusive-execution overlap (ms), or null when none. */
  overlapsMs: (number | null)[];
}

parentPort?.on("message", (message: SweepBatch) => {
  void (async () => {
    const verdicts: Record<CheckName, Verdict>[] = [];
    const overlapsMs: (number | null)[] = [];
    for (const scenario of message.scenarios) {
      const run = await runScenario(scenario, { worker: message.worker, traceSteps: false });
      verdicts.push(run.verdicts);
      overlapsMs.push(largestOverlapOf(run) ?? null);
    }
    parentPort!.postMessage({ batch: message.batch, verdicts, overlapsMs } satisfies SweepBatchResult);
  })();
});
