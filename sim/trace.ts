import { createHash } from "node:crypto";
import type { TraceArgs, TraceEvent, TraceKind, TraceRecord, TraceRecordOf } from "../src/trace-events.js";
import { TraceTail, type CallRecordKind } from "./trace-tail.js";

export type { CallRecordKind } from "./trace-tail.js";

export type { TraceRecord, TraceRecordOf, TraceKind } from "../src/trace-events.js";

/**
 * The append-only log of a run, in the typed vocabulary of src/trace-events.ts. Checkers read it;
 * the report prints it; its hash proves that two runs were identical (same seed → same bytes →
 * same hash).
 */
export class Trace {
  // Records in order, then the tail (sim/trace-tail.ts): once a step record was written, every
  // record goes to the tail, steps and network call records as numbers, until `records` is read.
  // A step (one a simulated event, so most of a traced run) or a call record then costs no object;
  // the echo workload once spent about a sixth of its instructions on step records as objects.
  private readonly done: TraceRecord[] = [];
  private readonly tail = new TraceTail();

  /**
   * Every record, in order. The array is the trace's own: do not change it, and read it again
   * after the trace has grown (records written since the last read appear on the next one).
   */
  get records(): TraceRecord[] {
    if (this.tail.length > 0) this.tail.drainInto(this.done);
    return this.done;
  }

  /** Appends one record. `data` must be JSON-serialisable and built deterministically. */
  record<K extends TraceKind>(atMs: number, host: string, kind: K, ...data: TraceArgs<K>): void {
    this.add(atMs, host, kind, data[0]);
  }

  /**
   * `record` without its type check of `data` against `kind` and without a rest array: for
   * writers that have already checked it (the world's own `record`). `data` undefined means none.
   */
  add(atMs: number, host: string, kind: TraceKind, data: unknown): void {
    const r = { atMs, host, kind, data } as TraceRecord;
    if (this.tail.length === 0) this.done.push(r);
    else this.tail.record(r);
  }

  /** Appends a `step` record (an event ran): its data is `{ e: label }`, one frozen object per label. */
  step(atMs: number, host: string, label: string): void {
    this.tail.step(atMs, host, label);
  }

  /** Appends a network call record (`net.send`, `net.recv` or `net.timeout`): its data is `{ call, op }`. */
  call(atMs: number, host: string, kind: CallRecordKind, callId: number, op: string): void {
    // Compact only behind steps: a run without step records (a sweep's) has no tail, and building
    // its few call records later would cost more than it saves (callgrind, fenced sweep runs).
    if (this.tail.length === 0) this.done.push({ atMs, host, kind, data: { call: callId, op } } as TraceRecord);
    else this.tail.call(atMs, host, kind, callId, op);
  }

  /** Appends an event built elsewhere (a resource's or a real fleet's), at `atMs` on `host`. */
  append(atMs: number, host: string, event: TraceEvent): void {
    const r = { atMs, host, ...event } as TraceRecord;
    if (this.tail.length === 0) this.done.push(r);
    else this.tail.record(r);
  }

  /** The canonical text of one record: the bytes that the hash covers. */
  static line(r: TraceRecord): string {
    return `${r.atMs}\t${r.host}\t${r.kind}${r.data === undefined ? "" : `\t${JSON.stringify(r.data)}`}`;
  }

  /** The whole trace as text, one record a line. */
  text(): string {
    return this.records.map(Trace.line).join("\n");
  }

  /** SHA-256 (hex) of the canonical text; equal hashes mean byte-identical traces. */
  hash(): string {
    return hashRecords(this.records);
  }

  /** Records of one kind. */
  ofKind<K extends TraceKind>(kind: K): TraceRecordOf<K>[] {
    return this.records.filter((r): r is TraceRecord & TraceRecordOf<K> => r.kind === kind);
  }
}

/** SHA-256 (hex) of records' canonical text (a simulator trace or a real run's log). */
export function hashRecords(records: readonly TraceRecord[]): string {
  const h = createHash("sha256");
  for (const r of records) {
    h.update(Trace.line(r));
    h.update("\n");
  }
  return h.digest("hex");
}
