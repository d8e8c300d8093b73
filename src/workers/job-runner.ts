import { AbortedError, LocksimError } from "../errors.js";
import type { TaskSpec } from "../ports/task-store.js";
import { lockKey, type HeldLock, type LockStrategy, type Worker, type WorkerEnv } from "./worker-types.js";

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** What happened to one task in one pass. */
export type TaskOutcome = "committed" | "rejected" | "skipped-held" | "skipped-done" | "lost" | "error" | "stopped";

/**
 * The job server's loop, as the original worked (issue 4): list the pending tasks; for each, try
 * its lock; skip it if another worker holds it; otherwise re-check the task under the lock, run it
 * and commit its effect; repeat on an interval until every task is committed, so that a task whose
 * worker died is picked up again. The lock itself is the strategy's business.
 */
export function jobRunner(env: WorkerEnv, strategy: LockStrategy): Worker {
  const { clock, store, settings } = env;

  async function attempt(task: TaskSpec, handle: HeldLock): Promise<TaskOutcome> {
    // Re-check under the lock: the pending list may be stale by now.
    if (handle.token !== undefined) {
      const claim = await store.claim(task.id, handle.token, env.workerId);
      if (!claim.proceed) return "skipped-done";
    } else if (await store.isCommitted(task.id)) {
      return "skipped-done";
    }
    env.log("task.start", { task: task.id, ...(handle.token !== undefined ? { token: handle.token } : {}) });
    try {
      await env.runTask(task, handle.signal);
    } catch (error) {
      env.log("task.abort", { task: task.id, reason: describe(handle.signal.reason ?? error) });
      return "lost";
    }
    env.log("task.end", { task: task.id });
    if (handle.signal.aborted || !handle.stillHeld()) {
      env.log("task.no-commit", { task: task.id, reason: describe(handle.signal.reason ?? "lease no longer held") });
      return "lost";
    }
    const result = handle.commit ? await handle.commit() : await store.commit(task.id, { workerId: env.workerId, token: handle.token });
    return result.accepted ? "committed" : "rejected";
  }

  async function processTask(task: TaskSpec, signal: AbortSignal): Promise<TaskOutcome> {
    let handle: HeldLock | null;
    try {
      handle = await strategy.tryLock(task, lockKey(settings, task.id), signal);
    } catch (error) {
      if (signal.aborted) return "stopped";
      env.log("lock.error", { task: task.id, error: describe(error) });
      return "error";
    }
    if (!handle) return "skipped-held";
    try {
      return await attempt(task, handle);
    } finally {
      try {
        await handle.release();
        env.log("lock.released", { task: task.id });
      } catch (error) {
        env.log("unlock.error", { task: task.id, error: describe(error) });
      }
    }
  }

  return {
    async run(signal) {
      for (;;) {
        if (signal.aborted) return;
        const pending = await store.listPending();
        if (pending.length === 0) {
          env.log("worker.done");
          return;
        }
        for (const task of pending) {
          if (signal.aborted) return;
          const outcome = await processTask(task, signal);
          env.log("task.outcome", { task: task.id, outcome });
        }
        try {
          await clock.sleepMs(settings.passIntervalMs, signal);
        } catch (error) {
          if (error instanceof AbortedError || (error instanceof LocksimError && signal.aborted)) return;
          throw error;
        }
      }
    },
  };
}
