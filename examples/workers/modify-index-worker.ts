// A worker of your own, done right: the lease from src/lease, and a fencing token that is the lock
// key's ModifyIndex read with ?consistent while holding the lock (consul-semantics.md §7): every
// new tenure of the key gets a larger one. It logs its tenures so the fencing check can see them.
import { acquireFencedLock, jobRunner, type WorkerFactory } from "../../src/index.js";

export default ((env) =>
  jobRunner(env, {
    tryLock: (task, key, signal) =>
      acquireFencedLock({
        consul: env.consul,
        clock: env.clock,
        key,
        value: env.workerId,
        ttlMs: env.settings.ttlMs,
        lockDelayMs: env.settings.lockDelayMs,
        sessionName: `my-worker-${env.workerId}`,
        signal,
        onEvent: (e) => {
          if (e.kind === "acquired") env.log("lock.acquired", { task: task.id, session: e.session, token: e.token });
          if (e.kind === "lost") env.log("lock.lost", { task: task.id, reason: e.reason.message });
        },
      }),
  })) satisfies WorkerFactory;
