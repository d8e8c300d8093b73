import { parseGoDuration } from "../consul/go-duration.js";

/**
 * Ms as a reader wants them in a report: whole seconds when exact ("45 s"), else one decimal
 * ("13.8 s"), and ms under one second ("250 ms"). A space before the unit, as in the issue's
 * examples.
 */
export function formatSeconds(ms: number): string {
  if (Math.abs(ms) < 1000 && ms !== 0) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s} s` : `${s.toFixed(1)} s`;
}

/** A point in time of a run, in seconds with one decimal ("56.2 s"): finer than formatSeconds for instants. */
export function formatAtSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A session TTL as Consul stores it ("10s", a Go duration) in ms; undefined when it does not parse or is empty. */
export function ttlStringMs(ttl: string): number | undefined {
  if (ttl === "") return undefined;
  const parsed = parseGoDuration(ttl);
  return parsed.ok ? parsed.ns / 1_000_000 : undefined;
}

/** The first 8 characters of a session id, as the text timeline prints it. */
export function shortSession(session: string): string {
  return session.slice(0, 8);
}

/**
 * Consul caps an applied lock-delay at 60s (consul-semantics.md §3: `min(session.LockDelay,
 * MaxLockDelay=60s)`), whatever the session was created with.
 */
export const lockDelayCapMs = 60_000;

/** Consul's default session LockDelay when none is given (consul-semantics.md §1): 15s. */
export const defaultLockDelayMs = 15_000;
