import type { TraceArgs, TraceKind } from "../src/trace-events.js";
import type { CallRecordKind } from "./trace.js";
import type { SimEvent } from "./event-queue.js";

/** Options of `schedule`. Give `atMs` or `delayMs`. */
export interface ScheduleOptions {
  /** The virtual time (ms) the event is due; must not be before now. */
  atMs?: number;
  /** Due this many ms from now, when `atMs` is not given. Default 0. */
  delayMs?: number;
  /** The host whose code runs: the event is held while it is paused and dropped if it crashes. */
  hostId?: string | undefined;
  /** Defaults to the host's current incarnation. The network passes the caller's. */
  incarnation?: number;
  /** What the event is, for the trace and for "still pending" messages. */
  label: string;
  run: () => void;
}

/**
 * Options of `scheduleMethod`: as `schedule`, but the event runs `run` with `target` as `this`
 * (a method shared by every event of its kind, instead of a closure made for each).
 */
export interface ScheduleMethodOptions<T> extends Omit<ScheduleOptions, "run"> {
  target: T;
  run: (this: T) => void;
}

/**
 * The narrow face of the world that its parts need: the virtual time, a way to queue an event,
 * the trace, and the one fact about hosts that the network needs (which incarnation is live).
 * A host's clock and the network depend on this instead of the World class, so the world can own
 * them without an import circle, and they can be tested against a small fake.
 */
export interface Scheduler {
  /** Virtual time in ms since the world began. */
  readonly nowMs: number;
  /** Queues `run` at a virtual time; returns the event so it can be cancelled. */
  schedule(options: ScheduleOptions): SimEvent;
  /** Queues `run` to be called on `target` at a virtual time; returns the event so it can be cancelled. */
  scheduleMethod<T>(options: ScheduleMethodOptions<T>): SimEvent;
  /** Appends to the trace at the current virtual time (`host` undefined means the world). */
  record<K extends TraceKind>(host: string | undefined, kind: K, ...data: TraceArgs<K>): void;
  /** Appends a network call record (data `{ call, op }`) at the current virtual time: `record` without building the data object. */
  recordCall(host: string, kind: CallRecordKind, callId: number, op: string): void;
  /** The live incarnation of `hostId`; events of older ones are dropped. Throws for an unknown host. */
  incarnationOf(hostId: string): number;
}
