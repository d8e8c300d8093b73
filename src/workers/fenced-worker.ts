import { LeaseExpiredError, LockLostError, SessionInvalidatedError } from "../errors.js";
import { jobRunner } from "./job-runner.js";
import type { LockHandle, LockStrategy, WorkerFactory } from "./worker-types.js";

/** The reason the background loops stop on unlock (one object: aborting without a reason builds a DOMException each time). */
const unlocked = new Error("unlocked");

interface Held {
  key: string;
  session: string;
  /** Stops the renewer, the monitor and the lease watchdog. */
  done: AbortController;
}

/**
 * What locksim recommends (design.md §2, Workers):
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
export const fencedWorker: WorkerFactory = (env) => {
  const { consul, clock, settings } = env;
  const held = new Map<LockHandle, Held>();
  const leaseMs = settings.ttlMs - settings.leaseSafetyMarginMs;

  const strategy: LockStrategy = {
    async tryLock(task, key, signal) {
      const sentMs = clock.nowMs();
      const session = await consul.sessionCreate({ name: `locksim-fenced-${env.workerId}`, ttlMs: settings.ttlMs, behavior: settings.behavior ?? "release", lockDelayMs: settings.lockDelayMs, signal });
      let leaseUntilMs = sentMs + leaseMs;
      const cleanup = (): Promise<unknown> => consul.sessionDestroy(session).catch(() => undefined);
      let token: number;
      try {
        const acquired = await consul.kvPut(key, env.workerId, { acquire: session, signal });
        if (!acquired) {
          await cleanup();
          return null;
        }
        const read = await consul.kvGet(key, { consistent: true, signal });
        if (!read.entry || read.entry.session !== session) {
          await cleanup();
          return null;
        }
        token = read.entry.modifyIndex;
      } catch (error) {
        await cleanup();
        throw error;
      }
      env.log("lock.acquired", { task: task.id, session, token });
      const done = new AbortController();
      const lost = new AbortController();
      const loseLock = (reason: Error): void => {
        if (lost.signal.aborted || done.signal.aborted) return;
        env.log("lock.lost", { task: task.id, reason: `${reason.name}: ${reason.message}` });
        lost.abort(reason);
      };

      const renewer = async (): Promise<void> => {
        while (!done.signal.aborted) {
          await clock.sleepMs(settings.ttlMs / 3, done.signal);
          const renewSentMs = clock.nowMs();
          try {
            const entry = await consul.sessionRenew(session, { signal: done.signal, timeoutMs: settings.ttlMs / 3 });
            if (entry === null) {
              loseLock(new SessionInvalidatedError("renew answered 404: the session is gone", { session }));
              return;
            }
            leaseUntilMs = renewSentMs + leaseMs;
          } catch (error) {
            if (done.signal.aborted) return;
            // A failed renew is not a loss by itself: the lease watchdog decides, on our own clock.
            env.log("renew.error", { task: task.id, error: error instanceof Error ? error.message : String(error) });
          }
        }
      };

      const watchdog = async (): Promise<void> => {
        while (!done.signal.aborted) {
          const leftMs = leaseUntilMs - clock.nowMs();
          if (leftMs <= 0) {
            loseLock(new LeaseExpiredError("local lease ran out before a renew confirmed it", { session, leaseUntilMs }));
            return;
          }
          await clock.sleepMs(leftMs, done.signal);
        }
      };

      const monitor = async (): Promise<void> => {
        let index = 0;
        while (!done.signal.aborted) {
          try {
            const r = await consul.kvGet(key, { index, waitMs: 60_000, consistent: true, signal: done.signal });
            if (!r.entry || r.entry.session !== session) {
              const why = !r.entry ? "the lock key is gone" : r.entry.session ? "the lock key is held by another session" : "the lock key was released";
              loseLock(new LockLostError(why, { key, session }));
              return;
            }
            index = r.index;
          } catch {
            if (done.signal.aborted) return;
            // An unavailable Consul does not mean a lost lock; the lease watchdog bounds the risk.
            index = 0;
            await clock.sleepMs(1_000, done.signal);
          }
        }
      };

      for (const loop of [renewer, watchdog, monitor]) void loop().catch(() => undefined);
      const handle: LockHandle = {
        signal: AbortSignal.any([signal, lost.signal]),
        token,
        stillHeld: () => !lost.signal.aborted && clock.nowMs() < leaseUntilMs,
      };
      held.set(handle, { key, session, done });
      return handle;
    },

    async unlock(handle) {
      const h = held.get(handle);
      if (!h) return;
      held.delete(handle);
      h.done.abort(unlocked);
      try {
        await consul.kvPut(h.key, null, { release: h.session });
      } finally {
        await consul.sessionDestroy(h.session);
      }
    },
  };

  return jobRunner(env, strategy);
};
