import { Worker } from "node:worker_threads";
import type { BatchResult, BatchSpec, SweepSequence } from "./sweep-batch.js";
import type { SweepJob, SweepJobAnswer } from "./sweep-worker.js";
import type { WorkerRef } from "./worker-ref.js";

/** Whether the parallel pool can run here: it needs the compiled worker script. */
export function poolAvailable(): boolean {
  return import.meta.url.endsWith(".js");
}

/** Heap limit of each sweep thread (MB): a leaking worker fails its thread, not the machine. */
export const threadHeapMb = 256;

/**
 * Sweep threads: each takes one batch at a time (generation happens on the thread, so no scenario
 * crosses between threads) and answers its result. `run` queues a batch on the next free thread.
 */
export class SweepPool {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: { spec: BatchSpec; resolve: (r: BatchResult) => void; reject: (e: Error) => void }[] = [];

  constructor(
    threads: number,
    private readonly job: { sequence: SweepSequence; worker: WorkerRef; collectVerdicts: boolean },
  ) {
    for (let i = 0; i < Math.max(1, threads); i++) {
      const w = new Worker(new URL("./sweep-worker.js", import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: threadHeapMb } });
      this.all.push(w);
      this.idle.push(w);
    }
  }

  /** Runs one batch on a thread. */
  run(spec: BatchSpec): Promise<BatchResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ spec, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    const thread = this.idle.pop();
    const item = thread && this.queue.shift();
    if (!thread || !item) {
      if (thread) this.idle.push(thread);
      return;
    }
    const onError = (error: Error): void => {
      thread.off("message", onMessage);
      item.reject(error);
    };
    const onMessage = (answer: SweepJobAnswer): void => {
      thread.off("error", onError);
      this.idle.push(thread);
      if (answer.ok) item.resolve(answer.result);
      else item.reject(new Error(answer.error));
      this.next();
    };
    thread.once("message", onMessage);
    thread.once("error", onError);
    thread.postMessage({ ...this.job, spec: item.spec } satisfies SweepJob);
  }

  /** Stops every thread. */
  async close(): Promise<void> {
    await Promise.all(this.all.map((t) => t.terminate()));
  }
}
