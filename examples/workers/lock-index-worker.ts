// A broken worker: its token is the key's LockIndex, and its sessions use behavior "delete". A
// release keeps the key and LockIndex grows (1, 2, …), but when a session is invalidated Consul
// deletes the key and the next acquire starts again at LockIndex 1 (consul-semantics.md §7): the
// token goes down.
import { acquireFencedLock, jobRunner, type WorkerFactory } from "../../src/index.js";

export default ((env) =>
  jobRunner(env, {
    async tryLock(task, key, signal) {
      const lock = await acquireFencedLock({ consul: env.consul, clock: env.clock, key, value: env.workerId, ttlMs: env.settings.ttlMs, lockDelayMs: env.settings.lockDelayMs, behavior: "delete", signal });
      if (!lock) return null;
      const read = await env.consul.kvGet(key, { consistent: true, signal });
      const token = read.entry?.lockIndex ?? 0;
      env.log("lock.acquired", { task: task.id, session: lock.session, token });
      return { ...lock, token, stillHeld: () => lock.stillHeld(), release: () => lock.release() };
    },
  })) satisfies WorkerFactory;
