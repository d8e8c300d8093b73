// A worker thread of the parallel sweep: runs the scenarios it is sent and answers their verdicts.
import { parentPort } from "node:worker_threads";
import type { WorkerKind } from "../src/workers/worker-kinds.js";
import { runScenario } from "../sim/scenario/run-scenario.js";
import type { CheckName, Scenario, Verdict } from "../sim/scenario/scenario-schema.js";

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
}

parentPort?.on("message", (message: SweepBatch) => {
  void (async () => {
    const verdicts: Record<CheckName, Verdict>[] = [];
    for (const scenario of message.scenarios) {
      const run = await runScenario(scenario, { worker: message.worker, traceSteps: false });
      verdicts.push(run.verdicts);
    }
    parentPort!.postMessage({ batch: message.batch, verdicts } satisfies SweepBatchResult);
  })();
});
