import type { SimEvent } from "../event-queue.js";
import type { World } from "../world.js";
import type { SessionRecord } from "./consul-records.js";

/** structs.SessionTTLMultiplier: the leader expires a session TTL × 2 after its last renew (§2). */
export const sessionTtlMultiplier = 2;

/** Options of SessionTtlTimers. */
export interface SessionTtlTimersOptions {
  /** Where timers are scheduled: the world's virtual time. */
  world: Pick<World, "schedule">;
  /**
   * Called when a session's timer fires, after the timer is forgotten. The session may be gone
   * already; the owner checks, as invalidateSession looks the session up again.
   */
  expire: (sessionId: string) => void;
}

/**
 * The leader's in-memory session TTL timers (agent/consul/session_ttl.go). They are not persisted
 * or replicated: a leader change clears them all and the new leader re-arms every TTL session with
 * a fresh 2×TTL, carrying over no elapsed time (consul-semantics.md §2, measured on 3 servers).
 */
export class SessionTtlTimers {
  private readonly world: Pick<World, "schedule">;
  private readonly expire: (sessionId: string) => void;
  private readonly timers = new Map<string, SimEvent>();

  constructor(options: SessionTtlTimersOptions) {
    this.world = options.world;
    this.expire = options.expire;
  }

  /**
   * Arms (or re-arms) a session's timer for TTL × 2 from now, as create and every successful renew
   * do (resetSessionTimer). Sessions without a TTL get none.
   */
  reset(session: Pick<SessionRecord, "id" | "ttlMs">): void {
    const old = this.timers.get(session.id);
    if (old) old.cancelled = true;
    if (session.ttlMs <= 0) return;
    const event = this.world.schedule({
      delayMs: session.ttlMs * sessionTtlMultiplier,
      label: "consul.ttl",
      run: () => {
        this.timers.delete(session.id);
        this.expire(session.id);
      },
    });
    this.timers.set(session.id, event);
  }

  /** Forgets a session's timer: the session was destroyed or invalidated (clearSessionTimer). */
  cancel(sessionId: string): void {
    const timer = this.timers.get(sessionId);
    if (timer) timer.cancelled = true;
    this.timers.delete(sessionId);
  }

  /** The leader stepped down: every timer goes (revokeLeadership → clearAllSessionTimers). */
  clearAll(): void {
    for (const t of this.timers.values()) t.cancelled = true;
    this.timers.clear();
  }

  /**
   * A new leader took over: every TTL session gets a fresh 2×TTL from now, whatever time had
   * elapsed (establishLeadership → initializeSessionTimers). Repeated failovers can therefore keep
   * a dead client's session alive indefinitely.
   */
  rearmAll(sessions: Iterable<Pick<SessionRecord, "id" | "ttlMs">>): void {
    for (const s of sessions) this.reset(s);
  }

  /** Virtual times (ms) at which armed timers fire, in the order the sessions were first armed. */
  deadlinesMs(): number[] {
    return [...this.timers.values()].map((e) => e.atMs);
  }
}
