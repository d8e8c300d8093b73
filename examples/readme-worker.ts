// The worker of README "Your own worker", kept here so that the typecheck proves the snippet compiles.
// my-worker.ts: lock with a session, renew nothing, never check: a deliberately bad worker.
import { jobRunner, type LockHandle, type WorkerFactory } from "../src/index.js";

const sessions = new WeakMap<LockHandle, { key: string; session: string }>();

export default ((env) =>
  jobRunner(env, {
    async tryLock(_task, key, signal) {
      const session = await env.consul.sessionCreate({ ttlMs: env.settings.ttlMs });
      if (!(await env.consul.kvPut(key, env.workerId, { acquire: session }))) {
        await env.consul.sessionDestroy(session);
        return null; // held by someone else: the runner skips the task
      }
      const handle: LockHandle = { signal, stillHeld: () => true };
      sessions.set(handle, { key, session });
      return handle;
    },
    async unlock(handle) {
      const h = sessions.get(handle)!;
      await env.consul.kvPut(h.key, null, { release: h.session });
      await env.consul.sessionDestroy(h.session);
    },
  })) satisfies WorkerFactory;
