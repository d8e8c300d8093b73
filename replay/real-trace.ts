import type { TraceArgs, TraceEvent, TraceKind } from "../src/trace-events.js";
import { Trace } from "../sim/trace.js";

/**
 * A real run's log: the simulator's Trace, with times in ms since the run started on the real
 * clock (rounded to whole ms, as virtual time is). Real runs write exactly the records the
 * simulator writes, so the same checkers and timeline read both.
 */
export class RealTrace {
  readonly trace = new Trace();
  private readonly t0 = performance.now();

  /** Ms since the run started. */
  elapsedMs(): number {
    return performance.now() - this.t0;
  }

  /** The real time (performance.now()) of `atMs` into the run. */
  realMsAt(atMs: number): number {
    return this.t0 + atMs;
  }

  record<K extends TraceKind>(host: string, kind: K, ...data: TraceArgs<K>): void {
    this.trace.record(Math.round(this.elapsedMs()), host, kind, ...data);
  }

  emit(host: string, event: TraceEvent): void {
    this.trace.append(Math.round(this.elapsedMs()), host, event);
  }
}
