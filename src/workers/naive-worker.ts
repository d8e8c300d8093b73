import type { LockStrategy, WorkerFactory } from "./worker-types.js";
import { jobRunner } from "./job-runner.js";

/**
 * The seed's algorithm, flaws included (design.md §1): a session with a TTL and behavior "delete"
 * and Consul's default lock-delay; `?acquire=`; renew every TTL/2 while working, ignoring every
 * renewal error (a 404 too); never re-check the lock; destroy the session when done.
 *
 * It is the baseline locksim must catch: a pause longer than 2×TTL lets Consul expire the session
 * (consul-semantics.md §2), another worker takes the lock, and both commit.
 */
export const naiveWorker: WorkerFactory = (env) => {
  const { consul, clock, settings } = env;

  const strategy: LockStrategy = {
    async tryLock(task, key, signal) {
      const id = await consul.sessionCreate({ name: `locksim-naive-${env.workerId}`, ttlMs: settings.ttlMs, behavior: settings.behavior ?? "delete", lockDelayMs: settings.lockDelayMs });
      let acquired = false;
      try {
        acquired = await consul.kvPut(key, env.workerId, { acquire: id });
      } finally {
        if (!acquired) await consul.sessionDestroy(id).catch(() => undefined);
      }
      if (!acquired) return null;
      env.log("lock.acquired", { task: task.id, session: id });
      const stopRenew = new AbortController();
      void renewForever(id, stopRenew.signal);
      // The naive worker never learns that it lost the lock: its signal aborts only on Ctrl+C.
      return {
        signal,
        stillHeld: () => true,
        // Destroy only, no release first: with behavior delete the key goes and lock-delay stays (§3).
        async release() {
          if (stopRenew.signal.aborted) return;
          stopRenew.abort();
          await consul.sessionDestroy(id);
        },
      };
    },
  };

  async function renewForever(id: string, signal: AbortSignal): Promise<void> {
    for (;;) {
      try {
        await clock.sleepMs(settings.ttlMs / 2, signal);
      } catch {
        return;
      }
      // The flaw: errors and 404s alike are ignored.
      await consul.sessionRenew(id, { signal }).catch(() => undefined);
    }
  }

  return jobRunner(env, strategy);
};
