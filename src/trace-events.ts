/**
 * The trace vocabulary (design.md §2, The trace): every event the simulator, the Consul model, the
 * workers, the job runner, the resources and the real replay write, as one typed map from kind to
 * data. Writers and readers (checkers, timeline, reports) both go through these types, so renaming
 * an event is a compile error, never a check that silently answers "holds".
 *
 * The encoding of a record is `atMs \t host \t kind [\t JSON(data)]` (sim/trace.ts): the data
 * objects below are written as given, in the order of their fields, so keep them built in one place.
 */

/** A fault as the trace shows it: its type, whom it hits, and a human sentence. */
export interface FaultNote {
  /** The scenario's fault type ("pause", "partition", …). */
  type: string;
  /** The worker it hits, or "consul" for cluster faults. */
  target: string;
  /** A short human description ("pause w1 for 45000ms"). */
  fault: string;
}

/** Data of each trace event kind; `undefined` for kinds that carry none. */
export interface TraceEventData {
  // ---- hosts (the world, or the real fleet around the worker gate)
  "host.start": { incarnation: number };
  "host.exit": { incarnation: number };
  "host.failed": { error: string };
  "host.crash": undefined;
  "host.pause": undefined;
  /** `held`: events (simulator) or answers and timers (real gate) that fire now. */
  "host.resume": { held: number };
  "host.clock-rate": { rate: number };
  /**
   * The Consul client deadline the worker's port applies (src/client-deadline.ts), right after its
   * host.start; written only when it is not `defaultClientDeadline`, so older traces keep their hashes.
   */
  "host.client-deadline": { deadline: string };
  /** The world's run ended at a bound (stepsMax, horizonMs, sameTimeStepsMax, a wall-clock budget). */
  "run.bound": { bound: string; message: string };
  /** One executed event, when step tracing is on. */
  step: { e: string };

  // ---- network
  "net.send": { call: number; op: string };
  "net.recv": { call: number; op: string };
  "net.lost": { call: number; op: string; dir: "request" | "response" };
  "net.timeout": { call: number; op: string };
  /** `kind` only for a reject partition: a drop partition's record is the same as before kinds existed. */
  "net.partition": { mode: string; kind?: "reject" };
  "net.heal": undefined;
  /** A reject partition refused the request, or reset the connection instead of the answer (the server acted). */
  "net.reset": { call: number; op: string; dir: "request" | "response" };
  /** At the heal, TCP retransmits a message a drop partition swallowed: its caller still waits. */
  "net.retransmit": { call: number; op: string; dir: "request" | "response" };
  /** The caller's keep-alive declared the connection dead after `silentMs` of a drop partition. */
  "net.gave-up": { call: number; op: string; silentMs: number };

  // ---- faults (one engine for both worlds: sim/faults/fault-engine.ts)
  "fault.applied": FaultNote;
  "fault.undone": FaultNote;
  "fault.skipped": FaultNote & { why: string };

  // ---- the Consul model (simulator only: a real agent's inside is not observable)
  "consul.session.create": { session: string; ttl: string; behavior: string; lockDelayMs: number };
  "consul.session.destroy": { session: string };
  "consul.session.expire": { session: string };
  "consul.session.invalidate": { session: string; check: string };
  "consul.kv.acquire": { key: string; session: string; ok: boolean };
  "consul.kv.release": { key: string; session: string; ok: boolean };
  "consul.kv.lock-delay": { key: string; session: string };
  /**
   * Simulator: `unavailableMs` (and `graceful` for a leadership transfer); real cluster: `killed`
   * (the old leader's name, SIGKILLed) or `left` (the old leader's name, leaving gracefully).
   */
  "consul.leader.lost": { unavailableMs?: number; killed?: string; graceful?: boolean; left?: string };
  /** Simulator: `sessions` whose TTL timers were re-armed; real cluster: `leader`. */
  "consul.leader.elected": { sessions?: number; leader?: string };
  "consul.invariant": { violation: string };
  /** A rate-limit fault switched the agent's write limiter on: `fraction` of writes get `status`. */
  "consul.rate-limit.on": { fraction: number; status: number };
  "consul.rate-limit.off": undefined;
  /** A write refused by the limiter before it reached Raft (`op` as the ConsulPort names it). */
  "consul.rate-limited": { op: string; status: number };

  // ---- locks and sessions, as a worker sees them
  "lock.acquired": { task: string; session: string; token?: number };
  "lock.lost": { task: string; reason: string };
  /** The holder gave the lock back (released and/or destroyed its session, per kind). */
  "lock.released": { task: string };
  "lock.error": { task: string; error: string };
  "unlock.error": { task: string; error: string };
  "renew.error": { task: string; error: string };
  "api-lock.renew.end": { task: string; error: string | null };
  "api-lock.monitor.end": { task: string; error: string | null };

  // ---- tasks (the job runner)
  "task.start": { task: string; token?: number };
  "task.end": { task: string };
  "task.abort": { task: string; reason: string };
  "task.no-commit": { task: string; reason: string };
  "task.outcome": { task: string; outcome: string };
  "worker.done": undefined;

  // ---- resources: where a task's effect lands
  "store.claim": { task: string; worker?: string; token: number; proceed: boolean; reason?: string };
  "store.commit": { task: string; worker: string; token: number | null; accepted: boolean; reason?: string };

  // ---- free-form marks (a user's worker may add its own as `mark`)
  mark: { name: string; [field: string]: unknown };
}

/** Every event kind. */
export type TraceKind = keyof TraceEventData;

/** The data argument(s) of an event kind: none for kinds without data. */
export type TraceArgs<K extends TraceKind> = TraceEventData[K] extends undefined ? [] : [data: TraceEventData[K]];

/** One record of a given kind. */
export interface TraceRecordOf<K extends TraceKind> {
  /** Virtual ms (simulator) or ms since the run started (real replay). */
  atMs: number;
  /** The host concerned, or "-" for the world, the network and Consul. */
  host: string;
  kind: K;
  data: TraceEventData[K];
}

/** An event before it is placed in time: kind and data, as a discriminated union. */
export type TraceEvent = { [K in TraceKind]: { kind: K; data: TraceEventData[K] } }[TraceKind];

/** One line of the trace: a discriminated union on `kind`. */
export type TraceRecord = { [K in TraceKind]: TraceRecordOf<K> }[TraceKind];

/** Kinds a worker writes through `WorkerEnv.log`. */
export type WorkerTraceKind = Extract<TraceKind, `lock.${string}` | `unlock.${string}` | `renew.${string}` | `api-lock.${string}` | `task.${string}` | "worker.done" | "mark">;

/** How worker code writes to the trace: `log("lock.acquired", { task, session, token })`. */
export type TraceLog = <K extends WorkerTraceKind>(kind: K, ...data: TraceArgs<K>) => void;

/** Whether a record is of one kind, narrowing its data. */
export function isKind<K extends TraceKind>(record: TraceRecord, kind: K): record is TraceRecordOf<K> & TraceRecord {
  return record.kind === kind;
}
