// An example of plugging your own worker into locksim (README, "Your own worker").
// It is the naive worker plus one idea many teams have: "re-read the lock key right before
// committing, and only commit if we still hold it". locksim shows why that is not enough: a pause
// between the check and the commit still lets two workers commit.
import { jobRunner, type HeldLock, type LockStrategy, type WorkerFactory } from "../src/index.js";

export const checkBeforeCommitWorker: WorkerFactory = (env) => {
  const { consul, clock, settings } = env;

  const strategy: LockStrategy = {
    async tryLock(_task, key, signal) {
      const session = await consul.sessionCreate({ ttlMs: settings.ttlMs, behavior: "release", lockDelayMs: settings.lockDelayMs });
      if (!(await consul.kvPut(key, env.workerId, { acquire: session }))) {
        await consul.sessionDestroy(session);
        return null;
      }
      const stop = new AbortController();
      void (async () => {
        while (!stop.signal.aborted) {
          await clock.sleepMs(settings.ttlMs / 2, stop.signal).catch(() => undefined);
          if (!stop.signal.aborted) await consul.sessionRenew(session).catch(() => undefined);
        }
      })();
      let stillHeld = true;
      const handle: HeldLock = {
        signal,
        stillHeld: () => stillHeld,
        // The handle gives its own lock back: stop the loops, release the key, destroy the session.
        async release() {
          if (stop.signal.aborted) return;
          stop.abort();
          await consul.kvPut(key, null, { release: session }).catch(() => false);
          await consul.sessionDestroy(session);
        },
      };
      // Re-read the key every second while the task runs; the job runner asks stillHeld() right
      // before it commits.
      void (async () => {
        while (!stop.signal.aborted) {
          await clock.sleepMs(1_000, stop.signal).catch(() => undefined);
          if (stop.signal.aborted) return;
          const r = await consul.kvGet(key, { consistent: true }).catch(() => null);
          stillHeld = r?.entry?.session === session;
        }
      })();
      return handle;
    },
  };
  return jobRunner(env, strategy);
};

export default checkBeforeCommitWorker;
