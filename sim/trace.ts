import { createHash } from "node:crypto";
import type { TraceArgs, TraceEvent, TraceKind, TraceRecord, TraceRecordOf } from "../src/trace-events.js";

export type { TraceRecord, TraceRecordOf, TraceKind } from "../src/trace-events.js";

/**
 * The append-only log of a run, in the typed vocabulary of src/trace-events.ts. Checkers read it;
 * the report prints it; its hash proves that two runs were identical (same seed → same bytes →
 * same hash).
 */
export class Trace {
  // Records in order, except the tail that holds step records: a step (one a simulated event, so
  // most of a traced run) is kept as two small integers (its label's id and its time) instead of
  // an object, and becomes a record only when `records` is read. Objects that live to the end of
  // the run cost the young-generation GC a copy each, and their stores into this old array a
  // write barrier; the echo workload spent about a sixth of its instructions on step records.
  private readonly done: TraceRecord[] = [];
  // The tail, once a step was recorded: records, or step label ids (numbers) in order.
  private readonly tail: (TraceRecord | number)[] = [];
  private readonly tailStepAtMs: number[] = [];
  private readonly tailStepHost: string[] = [];
  private readonly stepLabelIds = new Map<string, number>();
  private readonly stepData: { e: string }[] = [];

  /**
   * Every record, in order. The array is the trace's own: do not change it, and read it again
   * after the trace has grown (records written since the last read appear on the next one).
   */
  get records(): TraceRecord[] {
    if (this.tail.length > 0) this.flush();
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
    else this.tail.push(r);
  }

  /** Appends a `step` record (an event ran): its data is `{ e: label }`, one frozen object per label. */
  step(atMs: number, host: string, label: string): void {
    let id = this.stepLabelIds.get(label);
    if (id === undefined) {
      id = this.stepData.length;
      this.stepData.push(Object.freeze({ e: label }));
      this.stepLabelIds.set(label, id);
    }
    this.tail.push(id);
    this.tailStepAtMs.push(atMs);
    this.tailStepHost.push(host);
  }

  /** Appends an event built elsewhere (a resource's or a real fleet's), at `atMs` on `host`. */
  append(atMs: number, host: string, event: TraceEvent): void {
    const r = { atMs, host, ...event } as TraceRecord;
    if (this.tail.length === 0) this.done.push(r);
    else this.tail.push(r);
  }

  // Turns the tail into records, in order.
  private flush(): void {
    const { done, tail, tailStepAtMs, tailStepHost, stepData } = this;
    let k = 0;
    for (const entry of tail) {
      if (typeof entry !== "number") done.push(entry);
      else {
        done.push({ atMs: tailStepAtMs[k]!, host: tailStepHost[k]!, kind: "step", data: stepData[entry]! } as TraceRecord);
        k++;
      }
    }
    tail.length = 0;
    tailStepAtMs.length = 0;
    tailStepHost.length = 0;
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
