import { jobRunner } from "./job-runner.js";
import { acquireWorkerFencedLock } from "./worker-fenced-lock.js";
import type { WorkerFactory } from "./worker-types.js";

/**
 * What locksim recommends (design.md §2, Workers): the job runner over `acquireFencedLock`
 * (src/lease/fenced-lock.ts, taken and logged by acquireWorkerFencedLock), which a user can import
 * into their own worker too.
 * - a local lease on the monotonic clock: it starts when the create (or renew) request is *sent*
 *   and ends TTL minus a safety margin later; Consul never expires a session before TTL after it
 *   handled the request (consul-semantics.md §2, the lower bound is the only contract);
 * - a renewer every TTL/3 that treats 404 as loss; a lock monitor (`?consistent` blocking reads);
 *   a watchdog that declares the lock lost when the lease runs out; all three abort the task;
 * - a fencing token: the key's ModifyIndex read with `?consistent` while holding the lock. It is a
 *   Raft index, so any later holder gets a larger one; LockIndex is not used because a plain PUT
 *   resets it to 0 and a delete restarts it at 1 (§7);
 * - the token is claimed at the store before the work and carried by the commit, so the store
 *   rejects a stale holder's effect (Kleppmann, "How to do distributed locking");
 * - release, then destroy: a release leaves no lock-delay behind (§3).
 */
export const fencedWorker: WorkerFactory = (env) =>
  jobRunner(env, {
    tryLock: (task, key, signal) => acquireWorkerFencedLock(env, { taskId: task.id, key, signal, sessionName: `locksim-fenced-${env.workerId}` }),
  });
