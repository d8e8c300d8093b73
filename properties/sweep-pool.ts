import { Worker } from "node:worker_threads";
import type { WorkerKind } from "../src/workers/worker-kinds.js";
import type { CheckName, Scenario, Verdict } from "../sim/scenario/scenario-schema.js";
import type { SweepBatch, SweepBatchResult } from "./sweep-worker.js";

/** Whether the parallel pool can run here: it needs the compiled worker script. */
export function poolAvailable(): boolean {
  return import.meta.url.endsWith(".js");
}

/**
 * Runs generated scenarios on `threads` worker threads, in batches, and returns the verdicts of
 * every scenario up to and including the first one for which `failed` is true (in generation
 * order), so the caller can hand that index to fast-check for shrinking.
 */
export async function runInPool(options: {
  worker: WorkerKind;
  scenarios: Scenario[];
  threads: number;
  batchSize?: number;
  failed: (verdicts: Record<CheckName, Verdict>) => boolean;
  onProgress?: (done: number) => void;
}): Promise<{ verdicts: Record<CheckName, Verdict>[]; overlapsMs: (number | null)[]; firstFailure: number | undefined }> {
  const batchSize = options.batchSize ?? 20;
  const batches: Scenario[][] = [];
  for (let i = 0; i < options.scenarios.length; i += batchSize) batches.push(options.scenarios.slice(i, i + batchSize));
  const results: (SweepBatchResult | undefined)[] = new Array(batches.length);
  const threads = Array.from({ length: Math.max(1, options.threads) }, () => new Worker(new URL("./sweep-worker.js", import.meta.url)));
  let next = 0;
  let firstFailure: number | undefined;
  let done = 0;
  // The first batch index at or after which nothing more needs running.
  const stopBatch = (): number => (firstFailure === undefined ? batches.length : Math.floor(firstFailure / batchSize) + 1);
  try {
    await Promise.all(
      threads.map(
        (thread) =>
          new Promise<void>((resolve, reject) => {
            const send = (): void => {
              if (next >= stopBatch()) {
                resolve();
                return;
              }
              const batch = next++;
              thread.postMessage({ batch, worker: options.worker, scenarios: batches[batch]! } satisfies SweepBatch);
            };
            thread.on("message", (m: SweepBatchResult) => {
              results[m.batch] = m;
              done += m.verdicts.length;
              options.onProgress?.(done);
              m.verdicts.forEach((v, j) => {
                const index = m.batch * batchSize + j;
                if (options.failed(v) && (firstFailure === undefined || index < firstFailure)) firstFailure = index;
              });
              send();
            });
            thread.on("error", reject);
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }
  const end = firstFailure === undefined ? options.scenarios.length : firstFailure + 1;
  const verdicts: Record<CheckName, Verdict>[] = [];
  const overlapsMs: (number | null)[] = [];
  for (let i = 0; i < end; i++) {
    const batch = results[Math.floor(i / batchSize)]!;
    verdicts.push(batch.verdicts[i % batchSize]!);
    overlapsMs.push(batch.overlapsMs[i % batchSize] ?? null);
  }
  return { verdicts, overlapsMs, firstFailure };
}
