import { InputError } from "../errors.js";
import type { Clock } from "../ports/clock.js";
import type { ConsulPort } from "../ports/consul-port.js";
import type { HeldLock } from "./held-lock.js";
import { runLeaseRenewer } from "./lease-renewer.js";
import { runLeaseWatchdog } from "./lease-watchdog.js";
import { LocalLease } from "./local-lease.js";
import { runLockMonitor } from "./lock-monitor.js";

/** The reason the background loops stop on release (one object: aborting without a reason builds a DOMException each time). */
const released = new Error("unlocked");

/** The defaults of FencedLockOptions, stated once. */
export const fencedLockDefaults = {
  /** ms; the local lease ends this long before TTL after the last confirmed renew. */
  leaseSafetyMarginMs: 2_000,
  /** On invalidation Consul only clears the key's session; the key and its value stay (§3). */
  behavior: "release",
} as const;

/** What a fenced lock reports while it is taken and held; for logs and traces. */
export type FencedLockEvent =
  /** The lock is held; `token` is the fencing token. */
  | { kind: "acquired"; session: string; token: number }
  /** The lock was lost (renew 404, lease ran out, or the monitor saw the key change); reported once. */
  | { kind: "lost"; reason: Error }
  /** A renew failed without a 404; not a loss by itself (the watchdog decides). */
  | { kind: "renew-error"; error: unknown };

/** Options of acquireFencedLock. Durations in ms. */
export interface FencedLockOptions {
  consul: ConsulPort;
  /** The local monotonic clock: the lease is measured on it, never on Consul's. */
  clock: Clock;
  /** The lock key, e.g. `service/<task>/leader`. */
  key: string;
  /** The value written to the key on acquire (e.g. the worker's id). Default "". */
  value?: string;
  /** Session TTL. Consul accepts 10,000–86,400,000. */
  ttlMs: number;
  /** The local lease ends this long before TTL after the last confirmed renew. Default 2,000. Must be < ttlMs. */
  leaseSafetyMarginMs?: number;
  /** Session LockDelay; undefined = Consul's default (15,000). Release before destroy leaves none (§3). */
  lockDelayMs?: number | undefined;
  /** Session behavior on invalidation. Default "release". */
  behavior?: "release" | "delete" | undefined;
  /** Session name, as `/v1/session/info` and the UI show it. Default: none. */
  sessionName?: string;
  /** Abandons the acquire calls; the held lock's `signal` aborts with it too (e.g. Ctrl+C). */
  signal?: AbortSignal;
  /** Told what happens to the lock; called synchronously, before the lock reacts. */
  onEvent?(event: FencedLockEvent): void;
}

/** A held fenced lock: a HeldLock whose token is always there, plus the key and session behind it. */
export interface FencedLock extends HeldLock {
  /** The key's ModifyIndex read with `?consistent` while holding it: grows with every tenure (§7). */
  token: number;
  key: string;
  session: string;
}

/**
 * Takes a lock the way locksim recommends (design.md §2, Workers), for use in your own worker:
 * resolves a FencedLock, or null when another session holds the key (or lock-delay blocks it).
 *
 * - A local lease on the monotonic clock (LocalLease): it starts when the session create (or a
 *   renew) is *sent* and lasts TTL minus a safety margin, because Consul's only contract is a
 *   lower bound: a session is not expired before TTL after it handled the request
 *   (consul-semantics.md §2).
 * - A renewer every TTL/3 that treats 404 as loss (runLeaseRenewer), a `?consistent` lock monitor
 *   (runLockMonitor) and a lease watchdog (runLeaseWatchdog); the first to see a loss aborts the
 *   lock's `signal`, and `stillHeld()` turns false when the lease runs out.
 * - A fencing token: the key's ModifyIndex read with `?consistent` while our session holds it. It
 *   is a Raft index, so any later holder gets a larger one; LockIndex is not used because a plain
 *   PUT resets it to 0 and a delete restarts it at 1 (§7). Hand it to the resource that receives
 *   the effect, which must refuse lower tokens (Kleppmann, "How to do distributed locking").
 * - `release()` releases the key, then destroys the session: a release leaves no lock-delay
 *   behind (§3), so the next holder need not wait out LockDelay. It is safe to call twice.
 *
 * Rejects, after destroying the session it created, when Consul fails during the acquire; throws an
 * InputError when `leaseSafetyMarginMs` is not below `ttlMs`.
 */
export async function acquireFencedLock(options: FencedLockOptions): Promise<FencedLock | null> {
  const { consul, clock, key, ttlMs, signal } = options;
  const leaseSafetyMarginMs = options.leaseSafetyMarginMs ?? fencedLockDefaults.leaseSafetyMarginMs;
  // A margin of TTL or more would leave a lease that has run out before it starts.
  if (!(ttlMs > 0 && leaseSafetyMarginMs >= 0 && leaseSafetyMarginMs < ttlMs)) {
    throw new InputError(`acquireFencedLock: expected 0 <= leaseSafetyMarginMs < ttlMs, got ${leaseSafetyMarginMs} and ${ttlMs}`, { key, ttlMs, leaseSafetyMarginMs });
  }
  const sentMs = clock.nowMs();
  const session = await consul.sessionCreate({
    name: options.sessionName,
    ttlMs,
    behavior: options.behavior ?? fencedLockDefaults.behavior,
    lockDelayMs: options.lockDelayMs,
    signal,
  });
  const lease = new LocalLease({ ttlMs, leaseSafetyMarginMs, sentMs });
  const cleanup = (): Promise<unknown> => consul.sessionDestroy(session).catch(() => undefined);
  let token: number;
  try {
    const acquired = await consul.kvPut(key, options.value ?? "", { acquire: session, signal });
    if (!acquired) {
      await cleanup();
      return null;
    }
    // The token is read while we hold the key, and only if the key still names our session.
    const read = await consul.kvGet(key, { consistent: true, signal });
    if (!read.entry || read.entry.session !== session) {
      await cleanup();
      return null;
    }
    token = read.entry.modifyIndex;
  } catch (error) {
    await cleanup();
    throw error;
  }
  options.onEvent?.({ kind: "acquired", session, token });
  return holdFencedLock(options, { session, token, lease });
}

/** Starts the renewer, the watchdog and the monitor for a lock just taken, and builds its handle. */
function holdFencedLock(options: FencedLockOptions, taken: { session: string; token: number; lease: LocalLease }): FencedLock {
  const { consul, clock, key, signal } = options;
  const { session, token, lease } = taken;
  const done = new AbortController();
  // The handle's signal: aborts when the lock is lost or the caller's signal aborts, with the first
  // one's reason, as AbortSignal.any([signal, lost]) would. Made by hand because Node 20 never frees
  // such a composite while it has a listener (one leaked per lock on a long-lived caller signal);
  // the listener on the caller's signal is removed on loss and on release.
  const held = new AbortController();
  let lost = false;
  const onCallerAbort = (): void => held.abort(signal?.reason);
  if (signal?.aborted) held.abort(signal.reason);
  else signal?.addEventListener("abort", onCallerAbort);
  const lose = (reason: Error): void => {
    if (lost || done.signal.aborted) return;
    lost = true;
    signal?.removeEventListener("abort", onCallerAbort);
    options.onEvent?.({ kind: "lost", reason });
    held.abort(reason);
  };
  const onError = (error: unknown): void => options.onEvent?.({ kind: "renew-error", error });
  // A loop ends by resolving (loss seen) or by rejecting when `done` aborts; neither is an error.
  void runLeaseRenewer({ consul, clock, session, ttlMs: options.ttlMs, lease, done: done.signal, lose, onError }).catch(() => undefined);
  void runLeaseWatchdog({ clock, session, lease, done: done.signal, lose }).catch(() => undefined);
  void runLockMonitor({ consul, clock, key, session, done: done.signal, lose }).catch(() => undefined);
  return {
    key,
    session,
    token,
    signal: held.signal,
    // Released or lost, the holder no longer holds it; otherwise only while the local lease runs.
    stillHeld: () => !done.signal.aborted && !lost && lease.runningAt(clock.nowMs()),
    async release() {
      if (done.signal.aborted) return;
      signal?.removeEventListener("abort", onCallerAbort);
      done.abort(released);
      try {
        await consul.kvPut(key, null, { release: session });
      } finally {
        await consul.sessionDestroy(session);
      }
    },
  };
}
