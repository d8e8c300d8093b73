// A broken worker: the same lease as modify-index-worker.ts, but its "fencing token" is always 1.
// A resource guarded by `fence <= $token` cannot tell two holders apart; locksim's token oracle can.
import { acquireFencedLock, jobRunner, type WorkerFactory } from "../../src/index.js";

export default ((env) =>
  jobRunner(env, {
    async tryLock(task, key, signal) {
      const lock = await acquireFencedLock({ consul: env.consul, clock: env.clock, key, value: env.workerId, ttlMs: env.settings.ttlMs, lockDelayMs: env.settings.lockDelayMs, signal });
      if (!lock) return null;
      env.log("lock.acquired", { task: task.id, session: lock.session, token: 1 });
      return { ...lock, token: 1, stillHeld: () => lock.stillHeld(), release: () => lock.release() };
    },
  })) satisfies WorkerFactory;
