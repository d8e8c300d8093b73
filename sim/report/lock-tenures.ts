import type { TraceRecord } from "../trace.js";
import type { SessionLife } from "./session-lifetimes.js";

/** A lock tenure as a worker believes it: lock.acquired until it releases, notices the loss, is done with the task, or dies. */
export interface WorkerTenure {
  worker: string;
  task: string;
  session: string;
  token?: number;
  startMs: number;
  endMs: number;
  /** "released", "lost", "done" (task.outcome), "crash", "exit", "open" (still held at the end). */
  endedBy: string;
  /** lock.lost's reason, when the worker noticed. */
  lostReason?: string;
  index: number;
}

/** Ends a worker's belief that it holds a task's lock. */
function tenureEnd(r: TraceRecord, t: WorkerTenure): string | undefined {
  if (r.host !== t.worker) return undefined;
  switch (r.kind) {
    case "lock.released":
      return r.data.task === t.task ? "released" : undefined;
    case "lock.lost":
      return r.data.task === t.task ? "lost" : undefined;
    case "task.outcome":
      return r.data.task === t.task ? "done" : undefined;
    case "host.crash":
      return "crash";
    case "host.exit":
    case "host.failed":
      return "exit";
    default:
      return undefined;
  }
}

/** Every lock tenure of every worker, as the workers saw them (both worlds write these records). */
export function workerTenures(records: readonly TraceRecord[]): WorkerTenure[] {
  const tenures: WorkerTenure[] = [];
  const open: WorkerTenure[] = [];
  records.forEach((r, index) => {
    for (let i = open.length - 1; i >= 0; i--) {
      const t = open[i]!;
      const end = tenureEnd(r, t);
      if (end === undefined) continue;
      t.endMs = r.atMs;
      t.endedBy = end;
      if (r.kind === "lock.lost") t.lostReason = r.data.reason;
      open.splice(i, 1);
    }
    if (r.kind !== "lock.acquired") return;
    const t: WorkerTenure = { worker: r.host, task: r.data.task, session: r.data.session, startMs: r.atMs, endMs: r.atMs, endedBy: "open", index };
    if (r.data.token !== undefined) t.token = r.data.token;
    tenures.push(t);
    open.push(t);
  });
  const endMs = records.length === 0 ? 0 : records[records.length - 1]!.atMs;
  for (const t of open) t.endMs = endMs;
  return tenures;
}

/** Who held a key, according to Consul (simulator: the model's records). */
export interface KeyHold {
  key: string;
  session: string;
  owner?: string;
  startMs: number;
  endMs: number;
  /** "release" (?release), "delete" (invalidated, behavior delete: the key is gone), "invalidated" (behavior release), "open". */
  endedBy: string;
  index: number;
}

/** Lock-delay in force on a key after its holder's session was invalidated (consul-semantics.md §3). */
export interface LockDelayWindow {
  key: string;
  session: string;
  startMs: number;
  endMs: number;
}

/** An acquire Consul refused because of lock-delay. */
export interface LockDelayRefusal {
  key: string;
  session: string;
  owner?: string;
  atMs: number;
  index: number;
}

/** What happened to one key. */
export interface KeyStory {
  key: string;
  /** The task it guards (from a worker's lock.acquired naming the holding session), when known. */
  task?: string;
  holds: KeyHold[];
  lockDelays: LockDelayWindow[];
  refusals: LockDelayRefusal[];
  /** Times at which the key was deleted (its holder invalidated under behavior "delete"). */
  deletionsMs: number[];
}

/**
 * The keys of a simulator trace: holders from consul.kv.acquire/release and session invalidation.
 * Under either behavior, invalidating a holding session arms lock-delay on the key; a plain release
 * does not (consul-semantics.md §3). Empty for a real replay (Consul's inside is not observable).
 */
export function keyStories(records: readonly TraceRecord[], sessions: readonly SessionLife[]): KeyStory[] {
  const bySession = new Map(sessions.map((s) => [s.session, s]));
  const keys = new Map<string, KeyStory>();
  const story = (key: string): KeyStory => {
    let s = keys.get(key);
    if (!s) keys.set(key, (s = { key, holds: [], lockDelays: [], refusals: [], deletionsMs: [] }));
    return s;
  };
  const holding = new Map<string, KeyHold>(); // key → current hold
  records.forEach((r, index) => {
    if (r.kind === "consul.kv.acquire" && r.data.ok) {
      const hold: KeyHold = { key: r.data.key, session: r.data.session, startMs: r.atMs, endMs: r.atMs, endedBy: "open", index };
      const owner = bySession.get(r.data.session)?.owner;
      if (owner !== undefined) hold.owner = owner;
      story(r.data.key).holds.push(hold);
      holding.set(r.data.key, hold);
    } else if (r.kind === "consul.kv.release" && r.data.ok) {
      const hold = holding.get(r.data.key);
      if (hold?.session !== r.data.session) return;
      hold.endMs = r.atMs;
      hold.endedBy = "release";
      holding.delete(r.data.key);
    } else if (r.kind === "consul.kv.lock-delay") {
      const refusal: LockDelayRefusal = { key: r.data.key, session: r.data.session, atMs: r.atMs, index };
      const owner = bySession.get(r.data.session)?.owner;
      if (owner !== undefined) refusal.owner = owner;
      story(r.data.key).refusals.push(refusal);
    } else if (r.kind === "consul.session.destroy" || r.kind === "consul.session.expire" || r.kind === "consul.session.invalidate") {
      for (const [key, hold] of holding) {
        if (hold.session !== r.data.session) continue;
        const life = bySession.get(hold.session);
        const deleted = life?.behavior === "delete";
        hold.endMs = r.atMs;
        hold.endedBy = deleted ? "delete" : "invalidated";
        if (deleted) story(key).deletionsMs.push(r.atMs);
        const delayMs = life?.lockDelayMs ?? 0;
        if (delayMs > 0) story(key).lockDelays.push({ key, session: hold.session, startMs: r.atMs, endMs: r.atMs + delayMs });
        holding.delete(key);
      }
    } else if (r.kind === "lock.acquired") {
      for (const s of keys.values()) if (s.task === undefined && s.holds.some((h) => h.session === r.data.session)) s.task = r.data.task;
    }
  });
  const endMs = records.length === 0 ? 0 : records[records.length - 1]!.atMs;
  for (const hold of holding.values()) hold.endMs = endMs;
  return [...keys.values()];
}
