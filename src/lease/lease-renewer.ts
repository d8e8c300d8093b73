import { SessionInvalidatedError } from "../errors.js";
import type { Clock } from "../ports/clock.js";
import type { ConsulPort } from "../ports/consul-port.js";
import type { LocalLease } from "./local-lease.js";

/** Options of runLeaseRenewer. */
export interface LeaseRenewerOptions {
  consul: ConsulPort;
  clock: Clock;
  /** The session to renew. */
  session: string;
  /** The session's TTL, in ms. The renewer renews every TTL/3 and gives each renew TTL/3 to answer. */
  ttlMs: number;
  /** The local lease a confirmed renew extends (from the renew's send time). */
  lease: LocalLease;
  /** Aborts when the lock is given back: the renewer stops (its pending sleep or call rejects). */
  done: AbortSignal;
  /** Called once the renewer knows the lock is lost (renew answered 404). */
  lose(reason: Error): void;
  /** Called with each renew that failed on the transport or with another status; not a loss. */
  onError?(error: unknown): void;
}

/**
 * Keeps the session alive while the lock is held: renews every TTL/3, so that two renewals can fail
 * before the local lease (TTL − margin) runs out, and gives each renew TTL/3 to answer.
 *
 * A 404 means the session is gone (expired or destroyed, consul-semantics.md §2): the lock is lost
 * at once, unlike the naive worker and the Go client's `RenewPeriodic`, which keep the task running.
 * Any other failure is not a loss by itself: the lease watchdog decides, on the local clock, because
 * a failed renew may still have reached Consul and a slow one proves nothing either way.
 *
 * Resolves when the lock is lost; rejects (with the abort reason) when `done` aborts.
 */
export async function runLeaseRenewer(options: LeaseRenewerOptions): Promise<void> {
  const { consul, clock, session, ttlMs, lease, done } = options;
  while (!done.aborted) {
    await clock.sleepMs(ttlMs / 3, done);
    const renewSentMs = clock.nowMs();
    try {
      const entry = await consul.sessionRenew(session, { signal: done, timeoutMs: ttlMs / 3 });
      if (entry === null) {
        options.lose(new SessionInvalidatedError("renew answered 404: the session is gone", { session }));
        return;
      }
      // The lease runs from when the renew was sent, never from when its answer arrived (§2).
      lease.confirm(renewSentMs);
    } catch (error) {
      if (done.aborted) return;
      options.onError?.(error);
    }
  }
}
