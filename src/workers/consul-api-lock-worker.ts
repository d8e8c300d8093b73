import { goClientDeadline } from "../client-deadline.js";
import { linkSignals } from "../lease/linked-signal.js";
import { ConsulApiLock } from "./consul-api-lock.js";
import { jobRunner } from "./job-runner.js";
import type { LockStrategy, Worker, WorkerEnv, WorkerFactory } from "./worker-types.js";

// The worker itself; exported below with the Go client's deadline attached.
const consulApiLockFactory = (env: WorkerEnv): Worker => {
  const { consul, clock, settings } = env;

  const strategy: LockStrategy = {
    async tryLock(task, key, signal) {
      const lock = new ConsulApiLock(consul, clock, {
        key,
        value: env.workerId,
        sessionName: `locksim-api-lock-${env.workerId}`,
        sessionTtlMs: settings.ttlMs,
        lockDelayMs: settings.lockDelayMs,
        lockTryOnce: true,
        lockWaitTimeMs: settings.lockWaitTimeMs,
        onEvent: (kind, error) => env.log(`api-lock.${kind}`, { task: task.id, error: error ? `${error.name}: ${error.message}` : null }),
      });
      const lost = await lock.lock(signal);
      if (!lost) return null;
      env.log("lock.acquired", { task: task.id, session: lock.session });
      let released = false;
      // The run signal outlives the lock: the link goes on release.
      const linked = linkSignals(signal, lost);
      return {
        signal: linked.signal,
        stillHeld: () => !lost.aborted,
        // api.Lock's Unlock: release the key, stop RenewPeriodic (which then destroys the session).
        async release() {
          if (released) return;
          released = true;
          linked.unlink();
          await lock.unlock();
        },
      };
    },
  };

  return jobRunner(env, strategy);
};

/**
 * A worker that locks each task the way the official Go client does (`api.Lock` with
 * LockTryOnce and a short LockWaitTime, so a held task is skipped) and, as the Go docs ask,
 * watches the lock-lost channel: the task is aborted and not committed when it fires. It has no
 * fencing token, so a pause between the last check and the commit still lets a stale holder commit.
 *
 * Its Consul client has the Go client's deadline (`goClientDeadline`): no time-out on any call, not
 * even on the monitor's blocking reads, and a TCP keep-alive that declares a silent connection dead
 * after 5 minutes. So a holder cut off by a partition that drops packets keeps running its task
 * until the keep-alive gives up or the partition heals, whenever the partition starts (issue 12;
 * hashicorp/consul #1843, #9788, #18271). Override it with `settings.clientDeadline`.
 */
export const consulApiLockWorker: WorkerFactory = Object.assign(consulApiLockFactory, { clientDeadline: goClientDeadline });
