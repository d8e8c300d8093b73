import type { TraceRecord } from "../trace.js";
import { lockDelayCapMs, ttlStringMs } from "./report-time.js";

/** How a session's life ended in the trace. */
export type SessionEnd = "destroy" | "expire" | "invalidate" | "open";

/** One Consul session as the trace shows it. */
export interface SessionLife {
  session: string;
  /** The worker that created it, when the trace says so unambiguously; undefined otherwise. */
  owner?: string;
  /** When Consul created it (simulator), or when a worker first named it (real replay: Consul's inside is not observable). */
  startMs: number;
  endMs?: number;
  end: SessionEnd;
  /** The session's TTL (ms), from consul.session.create; undefined when not recorded. */
  ttlMs?: number;
  /** The lock-delay Consul applies when it is invalidated (ms, capped at 60s); undefined when not recorded. */
  lockDelayMs?: number;
  behavior?: string;
  /**
   * When its TTL timer was (re)armed, as far as the trace shows: creation, each renewal its owner
   * got an answer to, and each leader election (a new leader re-arms every timer from scratch,
   * consul-semantics.md). The next expiry is due at the last anchor + 2×TTL.
   */
  anchorsMs: number[];
  /** Where the life comes from: the Consul model's records, or only a worker's lock.acquired. */
  source: "consul" | "worker";
  index: number;
}

/**
 * Sessions of a trace. The Consul model writes its records on host "consul" without saying which
 * worker called, so the owner is taken from a worker's lock.acquired, or else from the one worker
 * with a session.create call in flight when Consul created the session (left undefined when two
 * workers had one in flight: the trace cannot tell them apart).
 */
export function sessionLifetimes(records: readonly TraceRecord[]): SessionLife[] {
  const sessions = new Map<string, SessionLife>();
  const creates = new Map<number, string>(); // call id → host, for session.create calls possibly not yet delivered
  records.forEach((r, index) => {
    switch (r.kind) {
      case "net.send":
        if (r.data.op === "session.create") creates.set(r.data.call, r.host);
        return;
      case "net.recv":
        anchor(sessions, r);
        creates.delete(r.data.call);
        return;
      case "net.retransmit":
        // A request a drop partition swallowed is delivered after all (the heal).
        if (r.data.op === "session.create" && r.data.dir === "request") creates.set(r.data.call, r.host);
        return;
      case "net.lost":
        // Received, or lost on either way: delivered or never will be. A timed-out call stays: it may still arrive.
        creates.delete(r.data.call);
        return;
      case "consul.session.create": {
        const ttlMs = ttlStringMs(r.data.ttl);
        const life: SessionLife = { session: r.data.session, startMs: r.atMs, end: "open", lockDelayMs: Math.min(r.data.lockDelayMs, lockDelayCapMs), behavior: r.data.behavior, anchorsMs: [r.atMs], source: "consul", index };
        if (ttlMs !== undefined) life.ttlMs = ttlMs;
        const hosts = new Set(creates.values());
        if (hosts.size === 1) {
          life.owner = [...hosts][0]!;
          // With one call in flight, that call was delivered now; with several of one host's, which one is unknown (the owner is right either way).
          if (creates.size === 1) creates.clear();
        }
        sessions.set(r.data.session, life);
        return;
      }
      case "consul.session.destroy":
      case "consul.session.expire":
      case "consul.session.invalidate": {
        const life = sessions.get(r.data.session);
        if (!life || life.end !== "open") return;
        life.endMs = r.atMs;
        life.end = r.kind === "consul.session.destroy" ? "destroy" : r.kind === "consul.session.expire" ? "expire" : "invalidate";
        return;
      }
      case "lock.acquired": {
        const life = sessions.get(r.data.session);
        if (life) life.owner = r.host;
        else sessions.set(r.data.session, { session: r.data.session, owner: r.host, startMs: r.atMs, end: "open", anchorsMs: [r.atMs], source: "worker", index });
        return;
      }
      default:
        anchor(sessions, r);
    }
  });
  return [...sessions.values()];
}

/** Renewals and leader elections re-arm TTL timers. */
function anchor(sessions: Map<string, SessionLife>, r: TraceRecord): void {
  if (r.kind === "consul.leader.elected") {
    for (const life of sessions.values()) if (life.end === "open" && life.source === "consul") life.anchorsMs.push(r.atMs);
    return;
  }
  if (r.kind !== "net.recv" || r.data.op !== "session.renew") return;
  const live = [...sessions.values()].filter((s) => s.owner === r.host && s.end === "open");
  // A renewal names its session only in the request path, which the trace does not keep: count it only when the owner has one live session.
  if (live.length === 1) live[0]!.anchorsMs.push(r.atMs);
}
