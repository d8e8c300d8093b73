import { LocksimError } from "../errors.js";
import type { FencedLock } from "../lease/fenced-lock.js";
import type { HeldLock } from "../lease/held-lock.js";
import type { ConsulPort, TxnOp } from "../ports/consul-port.js";
import type { CommitResult, TaskStore } from "../ports/task-store.js";
import { effectKey, effectValue } from "../resources/consul-effects.js";
import { jobRunner } from "./job-runner.js";
import { acquireWorkerFencedLock } from "./worker-fenced-lock.js";
import type { WorkerEnv, WorkerFactory } from "./worker-types.js";

/**
 * The operations of the effect's transaction, in order:
 * 1. `check-session` on the lock key for our own session: the write happens only if Consul, at the
 *    Raft index of the write itself, still sees our session holding the lock. This is the check
 *    HashiCorp Vault's Consul HA backend puts first in every write since two active nodes were seen
 *    (hashicorp/vault PR #23013, physical/consul). No local check can replace it: a pause can land
 *    between any local check and the write.
 * 2. `set` of the effect key, naming the writer and its fencing token.
 * Nothing else guards the effect: no `check-not-exists` on the effect key, which would make the
 * effect at-most-once by itself and so hide a broken or missing lock check (Vault has none either).
 * An applied transaction whose answer was lost is never sent again; the next holder's claim reads
 * the effect key under its lock, and an old transaction still on the wire fails its check-session.
 */
export function effectTxnOps(options: { lock: Pick<FencedLock, "key" | "session" | "token">; effectKey: string; workerId: string }): TxnOp[] {
  const { lock } = options;
  return [
    { verb: "check-session", key: lock.key, session: lock.session },
    { verb: "set", key: options.effectKey, value: effectValue({ workerId: options.workerId, token: lock.token }) },
  ];
}

/** Whether the task's effect is in Consul, by a `?consistent` read; undefined when Consul did not answer. */
async function effectExists(consul: ConsulPort, key: string): Promise<boolean | undefined> {
  try {
    return (await consul.kvGet(key, { consistent: true })).entry !== null;
  } catch {
    return undefined;
  }
}

/**
 * The tasks as this worker sees them: the list comes from the worker's store, but whether a task is
 * done is Consul's answer (its effect key exists), because Consul is where the effect lands. A
 * task whose state Consul cannot tell now is treated as pending (taking its lock will fail too).
 */
function consulEffectStore(env: WorkerEnv): TaskStore {
  const { consul, settings } = env;
  const exists = (taskId: string): Promise<boolean | undefined> => effectExists(consul, effectKey(settings.keyPrefix, taskId));
  return {
    async listPending() {
      const pending = [];
      for (const task of await env.store.listPending()) if ((await exists(task.id)) !== true) pending.push(task);
      return pending;
    },
    async isCommitted(taskId) {
      return (await exists(taskId)) === true;
    },
    // The re-check under the lock: a consistent read of the effect key. Consul is the resource and
    // has no fence to raise; a read that fails skips the task for this pass.
    async claim(taskId) {
      const found = await exists(taskId);
      return found === false ? { proceed: true } : { proceed: false, ...(found ? { reason: "committed" as const } : {}) };
    },
    commit(taskId) {
      return Promise.reject(new LocksimError("txn-fenced commits through its lock's transaction, never through the store", { taskId }));
    },
  };
}

/** The lock handle: the fenced lock, whose effect is the guarded transaction. */
function txnFencedHandle(env: WorkerEnv, lock: FencedLock, taskId: string): HeldLock {
  const key = effectKey(env.settings.keyPrefix, taskId);
  return {
    signal: lock.signal,
    token: lock.token,
    // Held until a loss is noticed (renew 404, lease watchdog, monitor): the local lease ends the
    // task, but the commit's safety is Consul's check at the write, so no local check gates it.
    stillHeld: () => !lock.signal.aborted,
    release: () => lock.release(),
    async commit(): Promise<CommitResult> {
      try {
        const result = await env.consul.txn(effectTxnOps({ lock, effectKey: key, workerId: env.workerId }));
        return result.ok ? { accepted: true } : { accepted: false, reason: "refused-by-consul" };
      } catch (error) {
        // No answer: the transaction may have been applied. It is never sent again in this tenure;
        // the next pass reads the effect key, and a claim under a later lock sees it.
        env.log("mark", { name: "txn-commit-unanswered", task: taskId, error: error instanceof Error ? error.message : String(error) });
        return { accepted: false };
      }
    },
  };
}

/**
 * `txn-fenced` (design.md §2, Workers): the lock of `fenced` (acquireFencedLock: local lease,
 * renewer, watchdog, monitor, ModifyIndex token), but the effect is a Consul KV write,
 * `<keyPrefix>/<task>/effect`, inside a transaction whose first operation checks that our session
 * still holds the lock key (effectTxnOps). The resource is Consul itself: a paused or partitioned
 * holder's late write is refused by Consul, whatever the holder's clock says, so the effect happens
 * at most once under every fault; exclusive execution can still fail, as for any lease.
 */
export const txnFencedWorker: WorkerFactory = (env) =>
  jobRunner(
    { ...env, store: consulEffectStore(env) },
    {
      async tryLock(task, key, signal) {
        const lock = await acquireWorkerFencedLock(env, { taskId: task.id, key, signal, sessionName: `locksim-txn-fenced-${env.workerId}` });
        return lock && txnFencedHandle(env, lock, task.id);
      },
    },
  );
