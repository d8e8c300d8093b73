import type { Prng } from "../prng.js";
import type { World } from "../world.js";
import { DecodeError, RpcError } from "./consul-errors.js";
import { modelNodeName, uuidLookupError, type SessionRecord } from "./consul-records.js";
import type { ConsulState } from "./consul-state.js";
import { parseGoDuration } from "./go-duration.js";
import { encodedJson, json, jsonBody, readHeaders, sessionJson, text } from "./http-replies.js";
import type { HttpResponse } from "./http-types.js";
import type { ModelEvents } from "./model-events.js";
import { decodeSessionCreateBody, resolveSessionChecks, type SessionCreateBody } from "./session-create-body.js";
import type { SessionTtlTimers } from "./session-ttl-timers.js";
import { parseBlockingParams, type BlockingQueries } from "./blocking-queries.js";
import type { Reply } from "./http-router.js";
import { uuidIndexKey } from "./radix-watch-index.js";
import { BoundedCache } from "./bounded-cache.js";

/** structs.SessionTTLMax: the longest TTL a session may ask for (24h). */
const sessionTtlMaxMs = 86_400_000;

/** What a create body asks for: a session less its id and indexes. */
type SessionTemplate = Omit<SessionRecord, "id" | "createIndex" | "modifyIndex">;

/**
 * Accepted create bodies (keyed with the model's TTL minimum) → the session each asks for, shared
 * by every model in the process: each run sends the same few bodies (one per worker), and the
 * answer depends on nothing else. Templates are never mutated (create copies their lists).
 */
const sessionTemplates = new Map<number, BoundedCache<string, SessionTemplate>>();

/**
 * The templates kept for one SessionTTLMin, by body. Keyed by the body string itself (not a key
 * built from it): the simulated client hands out the same body string for the same options
 * (sim-consul-port.ts), so the lookup uses that string's already computed hash and meets the same
 * string in the table: no fresh string to hash or compare by content (callgrind: the built key's
 * lookup was ~0.3% of a generated fenced run).
 */
function templatesFor(ttlMinMs: number): BoundedCache<string, SessionTemplate> {
  let cache = sessionTemplates.get(ttlMinMs);
  if (!cache) {
    // A model setting, so a handful in a process; bounded all the same.
    if (sessionTemplates.size >= 64) sessionTemplates.clear();
    sessionTemplates.set(ttlMinMs, (cache = new BoundedCache(1_024)));
  }
  return cache;
}

/** Options of SessionEndpoints. */
export interface SessionEndpointsOptions {
  state: ConsulState;
  world: Pick<World, "nowMs">;
  /** The model's seeded stream: one UUID per created session. */
  prng: Pick<Prng, "uuid">;
  ttlTimers: Pick<SessionTtlTimers, "reset">;
  queries: Pick<BlockingQueries, "run">;
  events: Pick<ModelEvents, "sessionCreated" | "sessionDestroyed">;
  /** SessionTTLMin (ms): the shortest TTL a session may ask for. */
  ttlMinMs: number;
}

/**
 * Session.Apply's checks before Raft (agent/consul/session_endpoint.go): the behavior, then the
 * TTL, which must parse and be 0 or within [SessionTTLMin, 24h] (consul-semantics.md §1).
 */
function validateSession(body: SessionCreateBody, ttlMinMs: number): { behavior: "release" | "delete"; ttlMs: number } {
  const behavior = body.behavior === "" ? "release" : body.behavior;
  if (behavior !== "release" && behavior !== "delete") throw new RpcError(`Invalid Behavior setting '${body.behavior}'`, { behavior: body.behavior });
  let ttlMs = 0;
  if (body.ttl !== "") {
    const parsed = parseGoDuration(body.ttl);
    if (!parsed.ok) throw new RpcError(`Session TTL '${body.ttl}' invalid: ${parsed.error}`, { ttl: body.ttl });
    ttlMs = parsed.ns / 1e6;
    if (parsed.ns !== 0 && (ttlMs < ttlMinMs || ttlMs > sessionTtlMaxMs)) {
      throw new RpcError(`Invalid Session TTL '${parsed.nsExact}', must be between [${ttlMinMs / 1000}s=24h0m0s]`, { ttl: body.ttl, ttlMinMs });
    }
  }
  return { behavior, ttlMs };
}

/** The session is named by a well-formed id, or the lookup fails in go-memdb's UUID index (500, §1). */
function requireWellFormed(id: string): void {
  const lookupError = uuidLookupError(id);
  if (lookupError) throw new RpcError(lookupError, { sessionId: id });
}

/**
 * /v1/session/*: create, destroy, renew, info and list, with Consul's answers and errors
 * (consul-semantics.md §1–§3). Server-side refusals are thrown as RpcError (500).
 */
export class SessionEndpoints {
  private readonly options: SessionEndpointsOptions;
  /** Each session's renew body (see renew). */
  private readonly renewBodies = new WeakMap<SessionRecord, string>();

  constructor(options: SessionEndpointsOptions) {
    this.options = options;
  }

  private get state(): ConsulState {
    return this.options.state;
  }

  /** PUT /v1/session/create: decode (400), validate (500), store through Raft, arm the TTL timer. */
  create(body: string | undefined): HttpResponse {
    const template = this.sessionTemplate(body);
    if ("status" in template) return template;
    const session = this.state.insertSession({
      id: this.options.prng.uuid(),
      name: template.name,
      node: template.node,
      // Copies, so that no two sessions share a list.
      checks: template.checks && [...template.checks],
      nodeChecks: template.nodeChecks && [...template.nodeChecks],
      serviceChecks: template.serviceChecks && template.serviceChecks.map((c) => ({ ...c })),
      lockDelayNs: template.lockDelayNs,
      behavior: template.behavior,
      ttl: template.ttl,
      ttlMs: template.ttlMs,
    });
    this.options.events.sessionCreated(session);
    this.options.ttlTimers.reset(session);
    // The id is the model's own UUID (hex digits and hyphens, nothing to escape): the body is
    // written directly rather than through JSON.stringify (one call per create).
    return encodedJson(200, `{"ID":"${session.id}"}\n`);
  }

  /**
   * A create body decoded (400 when it is not a session), validated (RpcError) and resolved into
   * the session it asks for, less the id and indexes. Workers send the same few bodies again and
   * again, so accepted ones are kept process-wide (templatesFor), keyed by body and
   * SessionTTLMin: the answer depends on nothing else. Templates are frozen.
   */
  private sessionTemplate(body: string | undefined): SessionTemplate | HttpResponse {
    const templates = templatesFor(this.options.ttlMinMs);
    const key = body ?? "";
    const cached = templates.get(key);
    if (cached) return cached;
    let decoded;
    try {
      decoded = decodeSessionCreateBody(body, { node: modelNodeName });
    } catch (error) {
      if (error instanceof DecodeError) return text(400, `Request decode failed: ${error.message}`);
      throw error;
    }
    const { behavior, ttlMs } = validateSession(decoded, this.options.ttlMinMs);
    const template: SessionTemplate = {
      name: decoded.name,
      node: decoded.node,
      ...resolveSessionChecks(decoded),
      serviceChecks: decoded.serviceChecks ?? null,
      lockDelayNs: decoded.lockDelayNs,
      behavior,
      ttl: decoded.ttl,
      ttlMs,
    };
    // Frozen, lists included: a template is shared by every model in the process, so a mutation
    // would make one run's sessions depend on earlier runs (strict mode throws on one instead).
    Object.freeze(template.checks);
    Object.freeze(template.nodeChecks);
    template.serviceChecks?.forEach((c) => Object.freeze(c));
    Object.freeze(template.serviceChecks);
    return templates.set(key, Object.freeze(template));
  }

  /** PUT /v1/session/destroy/<id>: true even for an unknown id (§3). */
  destroy(id: string): HttpResponse {
    if (id === "") return text(400, "Missing session");
    const existed = this.state.findSession(id);
    this.state.destroySession(id, this.options.world.nowMs);
    if (existed) this.options.events.sessionDestroyed(existed.id);
    return json(200, true);
  }

  /** PUT /v1/session/renew/<id>: a fresh 2×TTL and the stored session; 404 once it is gone (§2). */
  renew(id: string): HttpResponse {
    if (id === "") return text(400, "Missing session");
    // A stored id, named as stored, is well-formed: only other ids need the UUID index's check.
    const session = this.state.sessions.get(id) ?? this.state.findWellFormed(id);
    if (!session) return text(404, `Session id '${id}' not found`);
    this.options.ttlTimers.reset(session);
    // A stored session never changes, so neither does its renew answer: encoded once per session.
    let body = this.renewBodies.get(session);
    if (body === undefined) {
      body = jsonBody([sessionJson(session)]);
      this.renewBodies.set(session, body);
    }
    return encodedJson(200, body);
  }

  /**
   * GET /v1/session/info/<id>: the session in an array, or an empty array, with the sessions
   * table's index; blocking with `?index` (Session.Get). It watches the session's leaf in the
   * sessions index, so only that session's change wakes it (measured: another session's create or a
   * renew does not; its destroy does, at once); a missing session's lookup watches the node it
   * stopped at, often the root, which any create or destroy closes (measured: woken by a create).
   */
  info(id: string, query: Record<string, string> = {}): Reply {
    const params = parseBlockingParams(query);
    if ("status" in params) return params;
    if (id === "") return text(400, "Missing session");
    requireWellFormed(id);
    return this.options.queries.run({
      ...params,
      read: () => {
        const session = this.state.findSession(id);
        const index = this.tableIndex();
        return { index, response: json(200, session ? [sessionJson(session)] : [], readHeaders(index)), watch: [this.state.sessionWatch.getWatch(uuidIndexKey(id))] };
      },
    });
  }

  /**
   * GET /v1/session/list: every session, blocking with `?index` on the whole sessions index
   * (measured: woken by a create, not by a renew, a KV write or the destroy of an unknown id).
   */
  list(query: Record<string, string> = {}): Reply {
    const params = parseBlockingParams(query);
    if ("status" in params) return params;
    return this.options.queries.run({
      ...params,
      read: () => {
        const index = this.tableIndex();
        const sessions = [...this.state.sessions.values()].sort((a, b) => (uuidIndexKey(a.id) < uuidIndexKey(b.id) ? -1 : 1));
        return { index, response: json(200, sessions.map(sessionJson), readHeaders(index)), watch: [this.state.sessionWatch.seekPrefixWatch("")] };
      },
    });
  }

  /** Reads of the sessions table carry its index, at least 1. */
  private tableIndex(): number {
    return Math.max(this.state.sessionsIndex, 1);
  }
}
