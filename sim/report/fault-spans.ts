import type { TraceRecord } from "../trace.js";

/** One fault as it played out in a trace: from fault.applied to fault.undone (or the run's end). */
export interface FaultSpan {
  /** The scenario's fault type ("pause", "partition", …). */
  type: string;
  /** The worker it hit, or "consul". */
  target: string;
  /** The human description the trace carries ("pause w1 for 45000ms"). */
  fault: string;
  startMs: number;
  /** When it was undone; undefined: never within the trace (a crash without restart, an open drift). */
  endMs?: number;
  /** Index of the fault.applied record. */
  index: number;
}

/** A fault the engine did not play (the worker was in the wrong state, or the world cannot play it). */
export interface SkippedFault {
  type: string;
  target: string;
  fault: string;
  why: string;
  atMs: number;
  index: number;
}

/**
 * The faults of a trace as spans. fault.applied and fault.undone are paired by (type, target) in
 * order, because the engine undoes each fault it applied, once, after its duration.
 */
export function faultSpans(records: readonly TraceRecord[]): { spans: FaultSpan[]; skipped: SkippedFault[] } {
  const spans: FaultSpan[] = [];
  const skipped: SkippedFault[] = [];
  const open = new Map<string, FaultSpan[]>();
  records.forEach((r, index) => {
    if (r.kind === "fault.applied") {
      const span: FaultSpan = { type: r.data.type, target: r.data.target, fault: r.data.fault, startMs: r.atMs, index };
      spans.push(span);
      const key = `${r.data.type}\t${r.data.target}`;
      open.set(key, [...(open.get(key) ?? []), span]);
    } else if (r.kind === "fault.undone") {
      const span = open.get(`${r.data.type}\t${r.data.target}`)?.shift();
      if (span) span.endMs = r.atMs;
    } else if (r.kind === "fault.skipped") {
      skipped.push({ type: r.data.type, target: r.data.target, fault: r.data.fault, why: r.data.why, atMs: r.atMs, index });
    }
  });
  return { spans, skipped };
}

/** The end of a span for drawing and measuring: its undo, else the end of the trace. */
export function spanEndMs(span: FaultSpan, traceEndMs: number): number {
  return span.endMs ?? Math.max(span.startMs, traceEndMs);
}

/** The time of the last record (0 for an empty trace): where open spans end. */
export function traceEndMs(records: readonly TraceRecord[]): number {
  return records.length === 0 ? 0 : records[records.length - 1]!.atMs;
}
