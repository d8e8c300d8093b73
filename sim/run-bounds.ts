import type { SimEvent } from "./event-queue.js";

/** Options of a world. */
export interface WorldOptions {
  /** Everything random in the run derives from this. */
  seed: string | number;
  /** The most events one `run` call may execute before it stops with bound "stepsMax". Default 5,000,000. */
  stepsMax?: number;
  /** Virtual time (ms) past which a run stops with bound "horizonMs". Default 86,400,000 (one day). */
  horizonMs?: number;
  /** Record every executed event in the trace (not only what components record). Default true. */
  traceSteps?: boolean;
  /** The most events at one virtual instant before the run stops with bound "sameTimeStepsMax" (a livelock). Default 100,000. */
  sameTimeStepsMax?: number;
}

/** Why `run` returned. */
export type StopReason = "quiescent" | "until" | "untilMs" | "stepsMax" | "horizonMs" | "sameTimeStepsMax";

/** The outcome of one `run` call. */
export interface RunResult {
  stoppedBy: StopReason;
  /** For a bound: which bound, and what was still pending. Empty otherwise. */
  message: string;
  /** Events executed so far in this world (all run calls). */
  steps: number;
  nowMs: number;
}

/** Options of one `run` call. */
export interface RunOptions {
  /** Stop (normally) before the first event later than this virtual time; the clock ends there. */
  untilMs?: number;
  /** Stop (normally) as soon as this returns true; checked after every event. */
  until?: () => boolean;
}

/** The bounds a run checks before each event: a World's options, defaults applied. */
export interface RunLimits {
  stepsMax: number;
  horizonMs: number;
  sameTimeStepsMax: number;
}

/** Where a world stands before its next queued event. */
export interface RunPosition {
  /** The next queued event (it may be cancelled, stale or held), or undefined if none is left. */
  next: SimEvent | undefined;
  nowMs: number;
  /** Events executed so far. */
  steps: number;
  /** Events taken in a row at the current instant. */
  sameTimeSteps: number;
  /** The live queued events, asked for only to explain a bound. */
  live: () => readonly SimEvent[];
}

/**
 * Whether a run stops before its next queued event, and why. The result's `nowMs` is where the
 * clock ends: `untilMs` (never backwards) or the horizon when a run stops there, else unchanged.
 * `until` is not checked here: it is a predicate on the world, checked by the run itself.
 */
export function stopBefore(position: RunPosition, limits: RunLimits, options: RunOptions): RunResult | undefined {
  const { next, nowMs, steps } = position;
  const result = (stoppedBy: StopReason, atMs: number, message = ""): RunResult => ({ stoppedBy, message, steps, nowMs: atMs });
  const bound = (name: "horizonMs" | "stepsMax" | "sameTimeStepsMax", limit: string, atMs = nowMs): RunResult =>
    result(name, atMs, boundMessage({ bound: name, limit, nowMs: atMs, steps, live: position.live() }));
  if (next === undefined && options.untilMs === undefined) return result("quiescent", nowMs);
  if (next === undefined || (options.untilMs !== undefined && next.atMs > options.untilMs)) {
    return result("untilMs", Math.max(nowMs, options.untilMs ?? nowMs));
  }
  if (next.atMs > limits.horizonMs) return bound("horizonMs", `${limits.horizonMs}ms of virtual time`, limits.horizonMs);
  if (steps >= limits.stepsMax) return bound("stepsMax", `${limits.stepsMax} events`);
  if (position.sameTimeSteps >= limits.sameTimeStepsMax && next.atMs === nowMs) {
    return bound("sameTimeStepsMax", `${limits.sameTimeStepsMax} events without time moving: a livelock`);
  }
  return undefined;
}

// Which bound, where the world stood, and the most common pending events (by host and label), so
// a livelock or a runaway loop names its culprit.
function boundMessage(options: { bound: string; limit: string; nowMs: number; steps: number; live: readonly SimEvent[] }): string {
  const { live } = options;
  const byKind = new Map<string, number>();
  for (const e of live) {
    const k = `${e.hostId ?? "-"}:${e.label}`;
    byKind.set(k, (byKind.get(k) ?? 0) + 1);
  }
  const pending = [...byKind.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([k, n]) => `${k}×${n}`)
    .join(", ");
  return `stopped by bound ${options.bound} (${options.limit}) at t=${options.nowMs}ms after ${options.steps} events; ` +
    `still pending: ${live.length} events${pending ? ` (${pending})` : ""}`;
}
