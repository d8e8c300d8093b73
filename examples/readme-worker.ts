// The worker of README "Your own worker, from your project", kept here so that the typecheck
// proves the snippet compiles (the README imports from "locksim"; this file from the source).
import { acquireFencedLock, jobRunner, type WorkerFactory } from "../src/index.js";

export default ((env) =>
  jobRunner(env, {
    tryLock: (task, key, signal) =>
      acquireFencedLock({
        consul: env.consul, clock: env.clock, key, value: env.workerId, ttlMs: env.settings.ttlMs, signal,
        // Log your tenures: the fencing check and the timeline see them.
        onEvent: (e) => e.kind === "acquired" && env.log("lock.acquired", { task: task.id, session: e.session, token: e.token }),
      }),
  })) satisfies WorkerFactory;
