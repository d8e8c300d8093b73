import { LockLostError } from "../errors.js";
import type { Clock } from "../ports/clock.js";
import type { ConsulPort } from "../ports/consul-port.js";

/** How long each blocking read of the lock key waits for a change, in ms (Consul caps it at 10 min). */
export const lockMonitorWaitMs = 60_000;
/** Pause before the monitor retries after a failed read, in ms: an unreachable Consul is not hammered. */
export const lockMonitorRetryMs = 1_000;

/** Options of runLockMonitor. */
export interface LockMonitorOptions {
  consul: ConsulPort;
  clock: Clock;
  /** The lock key. */
  key: string;
  /** The session that holds it. */
  session: string;
  /** Aborts when the lock is given back: the monitor stops (its pending read is abandoned). */
  done: AbortSignal;
  /** Called once the monitor sees the key gone, released, or held by another session. */
  lose(reason: Error): void;
}

/**
 * Watches the lock key with `?consistent` blocking reads and declares the lock lost as soon as the
 * key no longer names our session: deleted (behavior delete, or an operator), released (behavior
 * release on invalidation), or taken by another session.
 *
 * `?consistent` makes the leader confirm it is still the leader before answering, so a deposed
 * leader cannot tell us we still hold the key (consul-semantics.md §6). A failed read is not a loss
 * (Consul may just be unreachable); the monitor retries from index 0 after a pause, and the lease
 * watchdog bounds the risk meanwhile.
 *
 * Resolves when the lock is lost; rejects (with the abort reason) when `done` aborts.
 */
export async function runLockMonitor(options: LockMonitorOptions): Promise<void> {
  const { consul, clock, key, session, done } = options;
  let index = 0;
  while (!done.aborted) {
    try {
      const r = await consul.kvGet(key, { index, waitMs: lockMonitorWaitMs, consistent: true, signal: done });
      if (!r.entry || r.entry.session !== session) {
        const why = !r.entry ? "the lock key is gone" : r.entry.session ? "the lock key is held by another session" : "the lock key was released";
        options.lose(new LockLostError(why, { key, session }));
        return;
      }
      index = r.index;
    } catch {
      if (done.aborted) return;
      index = 0;
      await clock.sleepMs(lockMonitorRetryMs, done);
    }
  }
}
