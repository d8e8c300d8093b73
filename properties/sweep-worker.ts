// A worker thread of the parallel sweep: generates and runs the batches it is sent.
import { parentPort } from "node:worker_threads";
import { runBatch, type BatchResult, type BatchSpec, type SweepSequence } from "./sweep-batch.js";
import { loadWorker, type WorkerRef } from "./worker-ref.js";
import { LiveMemoryWatch } from "./thread-memory.js";

/** A batch to run: the sequence, the slice, the worker (a module is imported once per thread). */
export interface SweepJob {
  sequence: SweepSequence;
  spec: BatchSpec;
  worker: WorkerRef;
  collectVerdicts: boolean;
}

/**
 * A thread's answer: the batch's result, or the error that stopped it, and the memory the thread
 * keeps (MB after its latest full GC, heap and external; undefined before the first), by which the pool retires a thread
 * whose worker keeps memory from run to run.
 */
export type SweepJobAnswer = ({ ok: true; result: BatchResult } | { ok: false; error: string }) & { liveMb?: number | undefined };

/** Everything a thread posts: once `ready` (its imports are loaded), then one answer per job. */
export type SweepThreadMessage = SweepJobAnswer | { ready: true };

const heap = new LiveMemoryWatch();

parentPort?.on("message", (job: SweepJob) => {
  void (async () => {
    try {
      const worker = await loadWorker(job.worker);
      const result = await runBatch({ sequence: job.sequence, spec: job.spec, worker, collectVerdicts: job.collectVerdicts });
      parentPort!.postMessage({ ok: true, result, liveMb: heap.liveMb } satisfies SweepJobAnswer);
    } catch (error) {
      parentPort!.postMessage({ ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error), liveMb: heap.liveMb } satisfies SweepJobAnswer);
    }
  })();
});
parentPort?.postMessage({ ready: true } satisfies SweepThreadMessage);
