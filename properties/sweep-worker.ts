// A worker thread of the parallel sweep: runs the scenarios it is sent and answers their verdicts.
import { parentPort } from "node:worker_threads";
import type { ResourcePolicy } from "../src/resources/resource-policy.js";
import { loadWorker, type WorkerRef } from "./worker-ref.js";
import { runScenario } from "../sim/scenario/run-scenario.js";
import type { CheckName, Scenario, Verdict } from "../sim/scenario/scenario-schema.js";

/** A batch to run. */
export interface SweepBatch {
  batch: number;
  worker: WorkerRef;
  resource?: ResourcePolicy | undefined;
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
    // The module is imported once per thread (loadWorker caches it).
    const worker = await loadWorker(message.worker);
    for (const scenario of message.scenarios) {
      const run = await runScenario(scenario, { worker: worker.factory, workerName: worker.name, resource: message.resource, traceSteps: false });
      verdicts.push(run.verdicts);
    }
    parentPort!.postMessage({ batch: message.batch, verdicts } satisfies SweepBatchResult);
  })();
});
