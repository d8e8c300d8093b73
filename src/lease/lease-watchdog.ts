import { LeaseExpiredError } from "../errors.js";
import type { Clock } from "../ports/clock.js";
import type { LocalLease } from "./local-lease.js";

/** Options of runLeaseWatchdog. */
export interface LeaseWatchdogOptions {
  clock: Clock;
  /** The session, for the error's context. */
  session: string;
  /** The local lease to watch; the renewer moves its end forward. */
  lease: LocalLease;
  /** Aborts when the lock is given back: the watchdog stops. */
  done: AbortSignal;
  /** Called once the local lease has run out. */
  lose(reason: Error): void;
}

/**
 * Declares the lock lost when the local lease runs out before a renew confirmed it, by sleeping on
 * the local monotonic clock until the lease's current end and looking again.
 *
 * It exists because nothing from Consul can be trusted to say "lost" in time: while the holder is
 * cut off from Consul, the renewer and the monitor only see errors, yet Consul may expire the
 * session as soon as TTL after the last renew it handled (consul-semantics.md §2, the lower bound
 * is the only contract) and let another worker take the lock. Only the local clock still runs.
 *
 * Resolves when the lease ran out; rejects (with the abort reason) when `done` aborts.
 */
export async function runLeaseWatchdog(options: LeaseWatchdogOptions): Promise<void> {
  const { clock, session, lease, done } = options;
  while (!done.aborted) {
    const leftMs = lease.untilMs - clock.nowMs();
    if (leftMs <= 0) {
      options.lose(new LeaseExpiredError("local lease ran out before a renew confirmed it", { session, leaseUntilMs: lease.untilMs }));
      return;
    }
    await clock.sleepMs(leftMs, done);
  }
}
