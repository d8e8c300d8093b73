import type { TraceRecord } from "../src/trace-events.js";
import { grownFloat64, grownInt32 } from "./typed-columns.js";

/** The network call records kept in columns (Trace.call); their data is `{ call, op }`. */
export type CallRecordKind = "net.send" | "net.recv" | "net.timeout";
const callKinds: readonly CallRecordKind[] = ["net.send", "net.recv", "net.timeout"];

// Entry codes: >= 0 a step (its label's id); -1..-3 a call record (-1 - its kind's index); -4 a
// record object (the next one in `objects`).
const recordCode = -4;

/** The host name of the world's own events, interned up front. */
const worldHost = "-";
const worldHostId = 0;

const noInt32 = new Int32Array(0);
const noFloat64 = new Float64Array(0);

/**
 * The end of a trace that has not been read yet, kept as numbers in typed arrays: the records a
 * simulated run writes most (a step per event, a send and a receive per network call) become
 * objects only when the trace is read (Trace.records).
 *
 * Why columns, and typed ones: records that live to the end of the run cost the young-generation
 * GC a copy each, and their stores into old arrays a write barrier. Plain arrays of numbers and
 * strings were not enough either: once large, V8 allocates each grown copy as a young large
 * object and scans all its slots when promoting it (callgrind, echo workload: +3.8 M instructions
 * a run for five plain columns). A typed array's elements live outside the GC heap.
 */
export class TraceTail {
  private count = 0;
  // The columns start empty (length 0) and are allocated when the first entry comes: a run
  // without step records (a sweep's) never needs them (Trace.call writes its call records as
  // objects while the tail is empty).
  private codes = noInt32;
  private atMs = noFloat64;
  // Each entry's host, as an index into `names`.
  private hosts = noInt32;
  private calls = 0;
  private callIds = noFloat64;
  private callOps = noInt32;
  private readonly objects: TraceRecord[] = [];
  // Interned host names and operation names: a run has a handful of each. "-" (the world's own
  // events, a network delivery among them) is always id 0.
  private readonly names: string[] = [worldHost];
  private readonly nameIds = new Map<string, number>([[worldHost, worldHostId]]);
  // The last host and the last operation looked up, and their ids; undefined before the first (so
  // that "" is not taken for one). Two caches, and "-" outside them: an echo cycle writes host,
  // host, op, "-", host, host, op, and one shared cache missed on most of them (a Map lookup each).
  private lastHost: string | undefined = undefined;
  private lastHostId = -1;
  private lastOp: string | undefined = undefined;
  private lastOpId = -1;
  private readonly stepLabelIds = new Map<string, number>();
  private readonly stepData: { e: string }[] = [];

  /** Entries waiting to become records. */
  get length(): number {
    return this.count;
  }

  /** A `step` record: its data is `{ e: label }`, one frozen object per label. */
  step(atMs: number, host: string, label: string): void {
    let id = this.stepLabelIds.get(label);
    if (id === undefined) {
      id = this.stepData.length;
      this.stepData.push(Object.freeze({ e: label }));
      this.stepLabelIds.set(label, id);
    }
    this.entry(id, atMs, host);
  }

  /** A network call record: data `{ call, op }`. */
  call(atMs: number, host: string, kind: CallRecordKind, callId: number, op: string): void {
    this.entry(kind === "net.send" ? -1 : kind === "net.recv" ? -2 : -3, atMs, host);
    if (this.calls === this.callIds.length) this.growCalls();
    this.callIds[this.calls] = callId;
    this.callOps[this.calls] = op === this.lastOp ? this.lastOpId : this.opId(op);
    this.calls++;
  }

  /** A record built by the caller, kept in order with the others. */
  record(r: TraceRecord): void {
    this.objects.push(r);
    const i = this.count;
    if (i === this.codes.length) this.grow();
    this.codes[i] = recordCode;
    this.count = i + 1;
  }

  /** Appends every entry to `out` as a record, in order, and empties the tail. */
  drainInto(out: TraceRecord[]): void {
    const { codes, atMs, hosts, callIds, callOps, names, objects, stepData } = this;
    let c = 0;
    let o = 0;
    for (let i = 0; i < this.count; i++) {
      const code = codes[i]!;
      if (code >= 0) {
        out.push({ atMs: atMs[i]!, host: names[hosts[i]!]!, kind: "step", data: stepData[code]! } as TraceRecord);
      } else if (code === recordCode) {
        out.push(objects[o++]!);
      } else {
        const data = { call: callIds[c]!, op: names[callOps[c]!]! };
        out.push({ atMs: atMs[i]!, host: names[hosts[i]!]!, kind: callKinds[-1 - code]!, data } as TraceRecord);
        c++;
      }
    }
    this.count = 0;
    this.calls = 0;
    objects.length = 0;
  }

  private entry(code: number, atMs: number, host: string): void {
    const i = this.count;
    if (i === this.codes.length) this.grow();
    this.codes[i] = code;
    this.atMs[i] = atMs;
    this.hosts[i] = host === this.lastHost ? this.lastHostId : host === worldHost ? worldHostId : this.hostId(host);
    this.count = i + 1;
  }

  private grow(): void {
    this.codes = grownInt32(this.codes, 256);
    this.atMs = grownFloat64(this.atMs, 256);
    this.hosts = grownInt32(this.hosts, 256);
  }

  private growCalls(): void {
    this.callIds = grownFloat64(this.callIds, 64);
    this.callOps = grownInt32(this.callOps, 64);
  }


  // A host's id, remembered as the last host (the hit test is inlined at the caller).
  private hostId(host: string): number {
    const id = this.nameId(host);
    this.lastHost = host;
    this.lastHostId = id;
    return id;
  }

  // An operation's id, remembered as the last operation.
  private opId(op: string): number {
    const id = this.nameId(op);
    this.lastOp = op;
    this.lastOpId = id;
    return id;
  }

  // The id of an interned name.
  private nameId(name: string): number {
    let id = this.nameIds.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.nameIds.set(name, id);
    }
    return id;
  }
}
