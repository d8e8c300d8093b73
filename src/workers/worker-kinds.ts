import { consulApiLockWorker } from "./consul-api-lock-worker.js";
import { fencedWorker } from "./fenced-worker.js";
import { naiveWorker } from "./naive-worker.js";
import { txnFencedWorker } from "./txn-fenced-worker.js";
import type { WorkerFactory } from "./worker-types.js";

/** The reference workers, by the name the CLI and scenarios use. */
export const workerKinds = {
  naive: naiveWorker,
  "consul-api-lock": consulApiLockWorker,
  fenced: fencedWorker,
  "txn-fenced": txnFencedWorker,
} as const satisfies Record<string, WorkerFactory>;

/** A reference worker's name. */
export type WorkerKind = keyof typeof workerKinds;

/** Whether `name` is a reference worker. */
export function isWorkerKind(name: string): name is WorkerKind {
  return Object.hasOwn(workerKinds, name);
}
