import { acquireFencedLock, type FencedLock } from "../lease/fenced-lock.js";
import type { WorkerEnv } from "./worker-types.js";

/** What acquireWorkerFencedLock needs besides the worker's env. */
export interface WorkerFencedLockOptions {
  /** The task the lock is for; every logged event names it. */
  taskId: string;
  /** The lock key, `<keyPrefix>/<task>/leader` (lockKey). */
  key: string;
  /** Session name, as `/v1/session/info` and the UI show it; tells the worker kinds apart. */
  sessionName: string;
  /** The job runner's signal: abandons the acquire, and aborts the held lock with it. */
  signal: AbortSignal;
}

/**
 * Takes a fenced lock (acquireFencedLock) with the worker's ports and settings, and logs what
 * happens to it in the trace vocabulary: `lock.acquired` with its fencing token, `lock.lost`, and
 * `renew.error`. Shared by `fenced` and `txn-fenced`, whose locks differ only in the session name,
 * so that both keep writing the same trace records (the pinned trace hashes depend on them).
 * The session behavior defaults to "release" when the settings name none: on invalidation the key
 * stays and only its session is cleared (consul-semantics.md §3).
 */
export function acquireWorkerFencedLock(env: WorkerEnv, options: WorkerFencedLockOptions): Promise<FencedLock | null> {
  const { consul, clock, settings } = env;
  const { taskId } = options;
  return acquireFencedLock({
    consul,
    clock,
    key: options.key,
    value: env.workerId,
    ttlMs: settings.ttlMs,
    leaseSafetyMarginMs: settings.leaseSafetyMarginMs,
    lockDelayMs: settings.lockDelayMs,
    behavior: settings.behavior ?? "release",
    sessionName: options.sessionName,
    signal: options.signal,
    onEvent(event) {
      if (event.kind === "acquired") env.log("lock.acquired", { task: taskId, session: event.session, token: event.token });
      else if (event.kind === "lost") env.log("lock.lost", { task: taskId, reason: `${event.reason.name}: ${event.reason.message}` });
      else env.log("renew.error", { task: taskId, error: event.error instanceof Error ? event.error.message : String(event.error) });
    },
  });
}
