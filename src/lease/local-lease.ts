/**
 * The holder's own idea of how long its session certainly lives, on the local monotonic clock.
 *
 * Consul promises only a lower bound: a session is not expired before TTL has passed since the
 * server handled the create or the last renew (consul-semantics.md §2; in practice it lives 2×TTL,
 * longer still across a leader change). The server handled the request *after* we sent it, so
 * "send time + TTL" is a safe lower bound on our side too, whatever the network delay was. The
 * safety margin absorbs clock-rate differences and the time between a check and the effect.
 */
export class LocalLease {
  /** Length of the local lease, in ms: TTL minus the safety margin. */
  readonly leaseMs: number;
  /** End of the local lease, in ms on the local monotonic clock (`Clock.nowMs()`). */
  untilMs: number;

  /**
   * @param options.ttlMs the session's TTL, in ms.
   * @param options.leaseSafetyMarginMs how much earlier than TTL the local lease ends, in ms.
   * @param options.sentMs when the session create request was sent, in ms on the local clock.
   */
  constructor(options: { ttlMs: number; leaseSafetyMarginMs: number; sentMs: number }) {
    this.leaseMs = options.ttlMs - options.leaseSafetyMarginMs;
    this.untilMs = options.sentMs + this.leaseMs;
  }

  /** A renew sent at `sentMs` was confirmed (200): the lease now runs from that send time. */
  confirm(sentMs: number): void {
    this.untilMs = sentMs + this.leaseMs;
  }

  /** Whether the lease is still running at `nowMs` (local monotonic clock). */
  runningAt(nowMs: number): boolean {
    return nowMs < this.untilMs;
  }
}
