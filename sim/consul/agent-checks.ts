import type { World } from "../world.js";
import type { CheckStatus, ConsulState } from "./consul-state.js";
import { text } from "./http-replies.js";
import type { HttpResponse } from "./http-types.js";
import type { ModelEvents } from "./model-events.js";

/** Options of AgentChecks. */
export interface AgentChecksOptions {
  state: ConsulState;
  world: Pick<World, "nowMs">;
  events: Pick<ModelEvents, "sessionInvalidated">;
}

/**
 * /v1/agent/check/*: just enough of the agent's checks for sessions to name them and to be
 * invalidated when one goes critical or is deregistered (consul-semantics.md §3). Each change
 * goes through Raft (one index), as the catalog update it causes does.
 */
export class AgentChecks {
  private readonly options: AgentChecksOptions;

  constructor(options: AgentChecksOptions) {
    this.options = options;
  }

  /** PUT /v1/agent/check/register: by ID, else Name; a check without Status starts critical. */
  register(body: string | undefined): HttpResponse {
    const parsed = JSON.parse(body || "{}") as { ID?: string; Name?: string; Status?: CheckStatus };
    this.setStatus(parsed.ID || parsed.Name || "", parsed.Status ?? "critical");
    return text(200, "");
  }

  /** PUT /v1/agent/check/deregister/<id>: sessions that name the check are invalidated. */
  deregister(id: string): HttpResponse {
    const state = this.options.state;
    if (!state.checks.has(id)) return unknownCheck(id);
    state.raft();
    state.checks.delete(id);
    this.invalidateSessionsUsing(id);
    return text(200, "");
  }

  /** PUT /v1/agent/check/{pass,warn,fail}/<id>: critical invalidates the sessions, warning does not. */
  update(id: string, status: CheckStatus): HttpResponse {
    if (!this.options.state.checks.has(id)) return unknownCheck(id);
    this.setStatus(id, status);
    return text(200, "");
  }

  private setStatus(id: string, status: CheckStatus): void {
    const state = this.options.state;
    state.raft();
    state.checks.set(id, status);
    if (status === "critical") this.invalidateSessionsUsing(id);
  }

  private invalidateSessionsUsing(checkId: string): void {
    for (const s of this.options.state.sessionsUsingCheck(checkId)) {
      this.options.events.sessionInvalidated(s.id, checkId);
      this.options.state.destroySession(s.id, this.options.world.nowMs);
    }
  }
}

function unknownCheck(id: string): HttpResponse {
  return text(500, `Unknown check "${id}"`);
}
