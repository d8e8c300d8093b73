// The worker of README "Your own worker", kept here so that the typecheck proves the snippet compiles.
// my-worker.ts: lock with a session, renew nothing, never check: a deliberately bad worker.
import { jobRunner, type WorkerFactory } from "../src/index.js";

export default ((env) =>
  jobRunner(env, {
    async tryLock(_task, key, signal) {
      const session = await env.consul.sessionCreate({ ttlMs: env.settings.ttlMs });
      if (!(await env.consul.kvPut(key, env.workerId, { acquire: session }))) {
        await env.consul.sessionDestroy(session);
        return null; // held by someone else: the runner skips the task
      }
      return {
        signal,
        stillHeld: () => true,
        async release() {
          await env.consul.kvPut(key, null, { release: session });
          await env.consul.sessionDestroy(session);
        },
      };
    },
  })) satisfies WorkerFactory;
