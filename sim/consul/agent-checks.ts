import type { SimEvent } from "../event-queue.js";
import type { World } from "../world.js";
import type { CheckStatus } from "./consul-records.js";
import type { ConsulState } from "./consul-state.js";
import { text } from "./http-replies.js";
import type { HttpResponse } from "./http-types.js";
import { parseGoDuration } from "./go-duration.js";
import type { ModelEvents } from "./model-events.js";

/** Options of AgentChecks. */
export interface AgentChecksOptions {
  state: ConsulState;
  world: Pick<World, "nowMs" | "schedule">;
  events: Pick<ModelEvents, "sessionInvalidated">;
  /** Called after a TTL check expired by itself (the owner commits the entry and checks invariants). */
  afterExpiry?: () => void;
}

/**
 * /v1/agent/check/*: just enough of the agent's checks for sessions to name them and to be
 * invalidated when one goes critical or is deregistered (consul-semantics.md §3). Each change
 * goes through Raft (one index), as the catalog update it causes does.
 */
export class AgentChecks {
  private readonly options: AgentChecksOptions;
  /** TTL of each TTL check (ms); 0 for the others. */
  private readonly ttlMs = new Map<string, number>();
  /** The pending expiry of each TTL check. */
  private readonly timers = new Map<string, SimEvent>();

  constructor(options: AgentChecksOptions) {
    this.options = options;
  }

  /**
   * PUT /v1/agent/check/register: by ID, else Name; a check without Status starts critical. A TTL
   * check (agent/checks CheckTTL) goes critical ("TTL expired") when nobody updated it for its TTL;
   * every pass, warn or fail restarts that timer. Measured on 1.8.7: a session linked to a 10s TTL
   * check registered passing was invalidated 10.1s after the registration; one whose check was
   * passed 6.9s after registration, 16.9s after it. The agent syncs the new status to the catalog
   * at once; the model applies it at the TTL's end.
   */
  register(body: string | undefined): HttpResponse {
    let parsed: { ID?: string; Name?: string; Status?: CheckStatus; TTL?: string };
    try {
      parsed = JSON.parse(body || "{}") as typeof parsed;
    } catch (error) {
      return text(400, `Request decode failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const id = parsed.ID || parsed.Name || "";
    let ttlMs = 0;
    if (parsed.TTL) {
      const ttl = parseGoDuration(parsed.TTL);
      if (!ttl.ok) return text(400, `Request decode failed: ${ttl.error}`);
      ttlMs = ttl.ns / 1e6;
    }
    this.ttlMs.set(id, ttlMs);
    this.setStatus(id, parsed.Status ?? "critical");
    return ok();
  }

  /** PUT /v1/agent/check/deregister/<id>: sessions that name the check are invalidated. */
  deregister(id: string): HttpResponse {
    const state = this.options.state;
    // Measured on 1.8.7: deregistering an unknown check answers 200 as well.
    if (!state.checks.has(id)) return ok();
    state.raft();
    state.checks.delete(id);
    this.ttlMs.delete(id);
    this.armTtl(id);
    this.invalidateSessionsUsing(id);
    return ok();
  }

  /** PUT /v1/agent/check/{pass,warn,fail}/<id>: critical invalidates the sessions, warning does not. */
  update(id: string, status: CheckStatus): HttpResponse {
    if (!this.options.state.checks.has(id) || !this.ttlMs.get(id)) return notTtlCheck(id);
    this.setStatus(id, status);
    return ok();
  }

  /** A new status through the catalog; an update (not the expiry itself) restarts a TTL check's timer. */
  private setStatus(id: string, status: CheckStatus, restartTtl = true): void {
    const state = this.options.state;
    state.raft();
    state.checks.set(id, status);
    if (restartTtl) this.armTtl(id);
    if (status === "critical") this.invalidateSessionsUsing(id);
  }

  /** When pending TTL checks expire (virtual ms), for the model's list of self-changing moments. */
  deadlinesMs(): number[] {
    return [...this.timers.values()].map((e) => e.atMs);
  }

  /** (Re)starts a TTL check's timer, or stops it when the check has no TTL or is gone. */
  private armTtl(id: string): void {
    const old = this.timers.get(id);
    if (old) old.cancelled = true;
    this.timers.delete(id);
    const ttlMs = this.ttlMs.get(id) ?? 0;
    if (ttlMs <= 0) return;
    const timer = this.options.world.schedule({
      delayMs: ttlMs,
      label: "consul.check-ttl",
      run: () => {
        this.timers.delete(id);
        if (!this.options.state.checks.has(id)) return;
        // CheckTTL's timer is not restarted by its own expiry: the check stays critical until updated.
        this.setStatus(id, "critical", false);
        this.options.afterExpiry?.();
      },
    });
    this.timers.set(id, timer);
  }

  private invalidateSessionsUsing(checkId: string): void {
    for (const s of this.options.state.sessionsUsingCheck(checkId)) {
      this.options.events.sessionInvalidated(s.id, checkId);
      this.options.state.destroySession(s.id, this.options.world.nowMs);
    }
  }
}

/** The agent's check endpoints answer 200 with no body and no content type (measured on 1.8.7). */
function ok(): HttpResponse {
  return { status: 200, body: "", headers: {} };
}

/** pass/warn/fail of a check that is not a TTL check, or not registered (measured on 1.8.7). */
function notTtlCheck(id: string): HttpResponse {
  return text(500, `CheckID "${id}" does not have associated TTL`);
}
