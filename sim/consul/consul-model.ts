import type { SimEvent } from "../event-queue.js";
import type { Prng } from "../prng.js";
import type { World } from "../world.js";
import type { TraceArgs, TraceKind } from "../../src/trace-events.js";
import { ConsulState, RpcError, modelNodeName, uuidLookupError, type KvRecord, type SessionRecord, type StateListener } from "./consul-state.js";
import { goQuote, parseGoDuration } from "./go-duration.js";
import type { HttpRequest, HttpResponse } from "./http-types.js";
import { DecodeError, decodeSessionCreateBody, resolveNodeChecks } from "./session-create-body.js";

/** Settings of the model; the defaults are Consul 1.8.7's. */
export interface ConsulModelOptions {
  /** Network service name the model answers on. Default "consul". */
  service?: string;
  /** SessionTTLMin (ms). Default 10,000. */
  sessionTtlMinMs?: number;
  /** Blocking-query wait when none is given (ms). Default 300,000 (5m). */
  defaultQueryTimeMs?: number;
  /** Longest blocking-query wait (ms). Default 600,000 (10m). */
  maxQueryTimeMs?: number;
  /** How long a request waits for a leader before 500 "No cluster leader" (ms). Default 7,000. */
  rpcHoldTimeoutMs?: number;
}

const sessionTtlMultiplier = 2; // structs.SessionTTLMultiplier
const sessionTtlMaxMs = 86_400_000; // structs.SessionTTLMax = 24h
const jitterFraction = 16; // blockingQuery: wait += RandomStagger(wait/16)

interface Waiter {
  key: string;
  recurse: boolean;
  wake: () => void;
  finish: (response: HttpResponse) => void;
}

function json(status: number, value: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, body: `${JSON.stringify(value)}\n`, headers: { "content-type": "application/json", ...headers } };
}

function text(status: number, body: string, headers: Record<string, string> = {}): HttpResponse {
  return { status, body, headers: { "content-type": "text/plain; charset=utf-8", ...headers } };
}

function readHeaders(index: number): Record<string, string> {
  return { "x-consul-index": String(index), "x-consul-knownleader": "true", "x-consul-lastcontact": "0" };
}

const uint64Max = 2n ** 64n - 1n;

/**
 * Go's strconv.ParseUint(s, 10, 64): the number, or Go's error text. Values above 2^53 (such as
 * the Go client's LockFlagValue 0x2ddccbc058a50c18) are kept as the nearest double, which is what
 * a JSON reader on the client side sees anyway.
 */
function parseUint(s: string): number | string {
  if (!/^\d+$/.test(s)) return `strconv.ParseUint: parsing ${goQuote(s)}: invalid syntax`;
  if (BigInt(s) > uint64Max) return `strconv.ParseUint: parsing ${goQuote(s)}: value out of range`;
  return Number(s);
}

/** Go's url.Values.Encode: keys sorted, values query-escaped. */
function encodeQuery(query: Record<string, string>): string {
  return Object.keys(query)
    .sort()
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(query[k]!).replace(/%20/g, "+")}`)
    .join("&");
}

export function sessionJson(s: SessionRecord): Record<string, unknown> {
  return {
    ID: s.id,
    Name: s.name,
    Node: s.node,
    LockDelay: s.lockDelayNs,
    Behavior: s.behavior,
    TTL: s.ttl,
    NodeChecks: s.nodeChecks,
    ServiceChecks: s.serviceChecks,
    CreateIndex: s.createIndex,
    ModifyIndex: s.modifyIndex,
  };
}

export function entryJson(e: KvRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { LockIndex: e.lockIndex, Key: e.key, Flags: e.flags, Value: e.value };
  if (e.session !== "") out.Session = e.session;
  out.CreateIndex = e.createIndex;
  out.ModifyIndex = e.modifyIndex;
  return out;
}

/**
 * The in-memory Consul: sessions, KV, TTL timers, lock-delay, blocking queries and leader
 * failover, behind Consul's HTTP API as plain data (consul-semantics.md). It answers on the world's
 * network as the service "consul" and reads time only from the world.
 */
export class ConsulModel implements StateListener {
  readonly state: ConsulState;
  private readonly world: World;
  private readonly prng: Prng;
  private readonly ttlMinMs: number;
  private readonly defaultQueryTimeMs: number;
  private readonly maxQueryTimeMs: number;
  private readonly rpcHoldTimeoutMs: number;
  private readonly timers = new Map<string, SimEvent>();
  private readonly waiters = new Set<Waiter>();
  private leaderless = false;
  private readonly heldRequests: (() => void)[] = [];

  constructor(world: World, options: ConsulModelOptions = {}) {
    this.world = world;
    this.prng = world.prng.fork("consul");
    this.state = new ConsulState(this);
    this.ttlMinMs = options.sessionTtlMinMs ?? 10_000;
    this.defaultQueryTimeMs = options.defaultQueryTimeMs ?? 300_000;
    this.maxQueryTimeMs = options.maxQueryTimeMs ?? 600_000;
    this.rpcHoldTimeoutMs = options.rpcHoldTimeoutMs ?? 7_000;
    world.network.register(options.service ?? "consul", (request) => this.handle(request as HttpRequest));
  }

  private record<K extends TraceKind>(kind: K, ...data: TraceArgs<K>): void {
    this.world.record("consul", kind, ...data);
  }

  private lastRaftIndex = 0;

  /**
   * The model's invariants, checked after every change; a violation is recorded in the trace as
   * `consul.invariant` (the modelInvariants checker reports it). One holder per key is structural
   * (a key stores one session), so what can break is: a key held by a session that no longer
   * exists, indexes going back, or an entry index ahead of the Raft index.
   */
  private checkInvariants(): void {
    const state = this.state;
    const violation = (text: string): void => this.record("consul.invariant", { violation: text });
    if (state.raftIndex < this.lastRaftIndex) violation(`Raft index went back from ${this.lastRaftIndex} to ${state.raftIndex}`);
    this.lastRaftIndex = state.raftIndex;
    for (const e of state.kv.values()) {
      if (e.session !== "" && !state.sessions.has(e.session)) violation(`key ${e.key} is held by session ${e.session}, which does not exist`);
      if (e.modifyIndex < e.createIndex || e.modifyIndex > state.raftIndex) violation(`key ${e.key} has CreateIndex ${e.createIndex}, ModifyIndex ${e.modifyIndex}, Raft index ${state.raftIndex}`);
    }
  }

  // ---- StateListener -----------------------------------------------------------------------

  keyChanged(key: string): void {
    for (const w of [...this.waiters]) {
      if (w.recurse ? key.startsWith(w.key) : key === w.key) w.wake();
    }
  }

  sessionRemoved(id: string): void {
    const timer = this.timers.get(id);
    if (timer) timer.cancelled = true;
    this.timers.delete(id);
  }

  /**
   * Virtual times at which the model's answers may change by themselves: pending TTL expiries
   * and lock-delay ends. For diagnostics and for the differential suite, which must not compare
   * a call that a real agent served within its latency of such a boundary.
   */
  pendingDeadlinesMs(): number[] {
    const now = this.world.nowMs;
    const lockDelayEnds = [...this.state.lockDelays.values()].filter((t) => t > now);
    return [...[...this.timers.values()].map((e) => e.atMs), ...lockDelayEnds];
  }

  // ---- TTL timers (agent/consul/session_ttl.go) --------------------------------------------

  /** Arms (or re-arms) a session's timer for TTL × 2 from now; sessions without TTL get none. */
  private resetTimer(session: SessionRecord): void {
    const old = this.timers.get(session.id);
    if (old) old.cancelled = true;
    if (session.ttlMs <= 0) return;
    const event = this.world.schedule({
      delayMs: session.ttlMs * sessionTtlMultiplier,
      label: "consul.ttl",
      run: () => {
        this.timers.delete(session.id);
        if (!this.state.sessions.has(session.id)) return;
        this.record("consul.session.expire", { session: session.id });
        this.state.destroySession(session.id, this.world.nowMs);
        this.checkInvariants();
      },
    });
    this.timers.set(session.id, event);
  }

  // ---- leader failover ---------------------------------------------------------------------

  /**
   * A leader change: for `unavailableMs` there is no leader (requests wait up to RPCHoldTimeout,
   * then fail 500 "No cluster leader"; blocking queries in flight fail at once). When the new leader
   * takes over it re-arms every TTL timer with a fresh 2×TTL and keeps lock-delays (§2, §3).
   */
  failover(options: { unavailableMs: number }): void {
    this.record("consul.leader.lost", { unavailableMs: options.unavailableMs });
    this.leaderless = true;
    for (const t of this.timers.values()) t.cancelled = true;
    this.timers.clear();
    for (const w of [...this.waiters]) w.finish(text(500, "rpc error making call: EOF"));
    this.world.schedule({
      delayMs: options.unavailableMs,
      label: "consul.leader",
      run: () => {
        this.leaderless = false;
        this.record("consul.leader.elected", { sessions: this.state.sessions.size });
        for (const s of this.state.sessions.values()) this.resetTimer(s);
        const held = this.heldRequests.splice(0);
        for (const run of held) run();
      },
    });
  }

  // ---- HTTP --------------------------------------------------------------------------------

  /** Answers one request (synchronously, or later for blocking queries and a missing leader). */
  handle(req: HttpRequest): HttpResponse | Promise<HttpResponse> {
    if (!this.leaderless) return this.route(req);
    return new Promise<HttpResponse>((resolve) => {
      let done = false;
      const timeout = this.world.schedule({
        delayMs: this.rpcHoldTimeoutMs,
        label: "consul.rpc-hold",
        run: () => {
          if (done) return;
          done = true;
          resolve(text(500, "No cluster leader"));
        },
      });
      this.heldRequests.push(() => {
        if (done) return;
        done = true;
        timeout.cancelled = true;
        resolve(this.route(req));
      });
    });
  }

  private route(req: HttpRequest): HttpResponse | Promise<HttpResponse> {
    const response = this.dispatch(req);
    if (!(response instanceof Promise)) this.checkInvariants();
    return response;
  }

  private dispatch(req: HttpRequest): HttpResponse | Promise<HttpResponse> {
    const query = req.query ?? {};
    const path = req.path;
    try {
      if (path.startsWith("/v1/kv/")) return this.kv(req, decodeURIComponent(path.slice("/v1/kv/".length)), query);
      if (path === "/v1/session/create") return this.onlyPut(req, () => this.sessionCreate(req));
      if (path.startsWith("/v1/session/destroy/")) return this.onlyPut(req, () => this.sessionDestroy(path.slice(20)));
      if (path.startsWith("/v1/session/renew/")) return this.onlyPut(req, () => this.sessionRenew(path.slice(18)));
      if (path.startsWith("/v1/session/info/")) return this.sessionInfo(path.slice(17));
      if (path === "/v1/session/list") return json(200, [...this.state.sessions.values()].map(sessionJson), readHeaders(Math.max(this.state.sessionsIndex, 1)));
      if (path.startsWith("/v1/agent/check/")) return this.agentCheck(req, path.slice(16));
      if (path === "/v1/status/leader") return json(200, "127.0.0.1:8300");
      return text(404, "404 page not found\n");
    } catch (error) {
      if (error instanceof RpcError) return text(500, error.message);
      throw error;
    }
  }

  private onlyPut(req: HttpRequest, run: () => HttpResponse): HttpResponse {
    if (req.method !== "PUT") return text(405, `method ${req.method} not allowed`, { allow: "OPTIONS,PUT" });
    return run();
  }

  // ---- sessions ----------------------------------------------------------------------------

  private sessionCreate(req: HttpRequest): HttpResponse {
    let body;
    try {
      body = decodeSessionCreateBody(req.body, { node: modelNodeName });
    } catch (error) {
      if (error instanceof DecodeError) return text(400, `Request decode failed: ${error.message}`);
      throw error;
    }
    // Session.Apply validation, before Raft: behavior, then TTL.
    const behavior = body.behavior === "" ? "release" : body.behavior;
    if (behavior !== "release" && behavior !== "delete") throw new RpcError(`Invalid Behavior setting '${body.behavior}'`);
    let ttlMs = 0;
    if (body.ttl !== "") {
      const parsed = parseGoDuration(body.ttl);
      if (!parsed.ok) throw new RpcError(`Session TTL '${body.ttl}' invalid: ${parsed.error}`);
      ttlMs = parsed.ns / 1e6;
      if (parsed.ns !== 0 && (ttlMs < this.ttlMinMs || ttlMs > sessionTtlMaxMs)) {
        throw new RpcError(`Invalid Session TTL '${parsed.ns}', must be between [${this.ttlMinMs / 1000}s=24h0m0s]`);
      }
    }
    const session = this.state.insertSession({
      id: this.prng.uuid(),
      name: body.name,
      node: body.node,
      nodeChecks: resolveNodeChecks(body),
      serviceChecks: body.serviceChecks ?? null,
      lockDelayNs: body.lockDelayNs,
      behavior,
      ttl: body.ttl,
      ttlMs,
    });
    this.record("consul.session.create", { session: session.id, ttl: session.ttl, behavior, lockDelayMs: session.lockDelayNs / 1e6 });
    this.resetTimer(session);
    return json(200, { ID: session.id });
  }

  private sessionDestroy(id: string): HttpResponse {
    if (id === "") return text(400, "Missing session");
    const existed = this.state.sessions.has(id);
    this.state.destroySession(id, this.world.nowMs);
    if (existed) this.record("consul.session.destroy", { session: id });
    return json(200, true);
  }

  private sessionRenew(id: string): HttpResponse {
    if (id === "") return text(400, "Missing session");
    const lookupError = uuidLookupError(id);
    if (lookupError) throw new RpcError(lookupError);
    const session = this.state.sessions.get(id);
    if (!session) return text(404, `Session id '${id}' not found`);
    this.resetTimer(session);
    return json(200, [sessionJson(session)]);
  }

  private sessionInfo(id: string): HttpResponse {
    if (id === "") return text(400, "Missing session");
    const lookupError = uuidLookupError(id);
    if (lookupError) throw new RpcError(lookupError);
    const session = this.state.sessions.get(id);
    return json(200, session ? [sessionJson(session)] : [], readHeaders(Math.max(this.state.sessionsIndex, 1)));
  }

  // ---- agent checks (for session health-check invalidation, §3) -----------------------------

  private agentCheck(req: HttpRequest, rest: string): HttpResponse {
    if (req.method !== "PUT") return text(405, `method ${req.method} not allowed`, { allow: "OPTIONS,PUT" });
    if (rest === "register") {
      const body = JSON.parse(req.body || "{}") as { ID?: string; Name?: string; Status?: string };
      const id = body.ID || body.Name || "";
      this.setCheck(id, (body.Status as "passing" | "warning" | "critical" | undefined) ?? "critical");
      return text(200, "");
    }
    const [verb, ...idParts] = rest.split("/");
    const id = idParts.join("/");
    if (!this.state.checks.has(id)) return text(500, `Unknown check "${id}"`);
    if (verb === "deregister") {
      this.state.raft();
      this.state.checks.delete(id);
      this.invalidateSessionsUsing(id);
      return text(200, "");
    }
    const status = ({ pass: "passing", warn: "warning", fail: "critical" } as const)[verb as "pass" | "warn" | "fail"];
    if (!status) return text(404, "404 page not found\n");
    this.setCheck(id, status);
    return text(200, "");
  }

  private setCheck(id: string, status: "passing" | "warning" | "critical"): void {
    this.state.raft();
    this.state.checks.set(id, status);
    if (status === "critical") this.invalidateSessionsUsing(id);
  }

  private invalidateSessionsUsing(checkId: string): void {
    for (const s of this.state.sessionsUsingCheck(checkId)) {
      this.record("consul.session.invalidate", { session: s.id, check: checkId });
      this.state.destroySession(s.id, this.world.nowMs);
    }
  }

  // ---- kv ----------------------------------------------------------------------------------

  private kv(req: HttpRequest, key: string, query: Record<string, string>): HttpResponse | Promise<HttpResponse> {
    if (req.method === "GET") return this.kvGet(key, query);
    if (req.method === "PUT") return this.kvPut(key, query, req.body);
    return this.kvDelete(key, query);
  }

  private kvPut(key: string, query: Record<string, string>, body: string | undefined): HttpResponse {
    if (key === "") return text(400, "Missing key name");
    const present = ["cas", "acquire", "release"].filter((f) => f in query);
    if (present.length > 1) return text(400, `Conflicting flags: ${encodeQuery(query)}`);
    let flags = 0;
    if ("flags" in query) {
      const parsed = parseUint(query.flags!);
      if (typeof parsed === "string") throw new RpcError(parsed);
      flags = parsed;
    }
    const value = body ? Buffer.from(body).toString("base64") : null;
    const state = this.state;
    if ("cas" in query) {
      const cas = parseUint(query.cas!);
      if (typeof cas === "string") throw new RpcError(cas);
      return json(200, state.cas(key, value, flags, cas));
    }
    if ("acquire" in query) {
      const session = query.acquire!;
      // kvsPreApply: lock-delay is checked on the leader before Raft, before the session is.
      if (state.inLockDelay(key, this.world.nowMs)) {
        this.record("consul.kv.lock-delay", { key, session });
        return json(200, false);
      }
      const ok = state.acquire(key, value, flags, session);
      this.record("consul.kv.acquire", { key, session, ok });
      if (ok && (state.lockDelays.get(key) ?? -Infinity) > this.world.nowMs) {
        this.record("consul.invariant", { violation: `key ${key} acquired by ${session} inside its lock-delay` });
      }
      return json(200, ok);
    }
    if ("release" in query) {
      const session = query.release!;
      const ok = state.release(key, value, flags, session);
      this.record("consul.kv.release", { key, session, ok });
      return json(200, ok);
    }
    return json(200, state.set(key, value, flags));
  }

  private kvDelete(key: string, query: Record<string, string>): HttpResponse {
    if ("recurse" in query) return json(200, this.state.deleteTree(key));
    if ("cas" in query) {
      const cas = parseUint(query.cas!);
      if (typeof cas === "string") throw new RpcError(cas);
      return json(200, this.state.deleteCas(key, cas));
    }
    if (key === "") return text(400, "Missing key name");
    return json(200, this.state.delete(key));
  }

  /** Runs the read once: the response and the index it carries. */
  private kvRead(key: string, recurse: boolean): { index: number; response: HttpResponse } {
    if (recurse) {
      const entries = [...this.state.kv.values()].filter((e) => e.key.startsWith(key)).sort((a, b) => (a.key < b.key ? -1 : 1));
      const index = this.state.missingKeyIndex();
      if (entries.length === 0) return { index, response: text(404, "", readHeaders(index)) };
      return { index, response: json(200, entries.map(entryJson), readHeaders(index)) };
    }
    const entry = this.state.kv.get(key);
    if (!entry) {
      const index = this.state.missingKeyIndex();
      return { index, response: text(404, "", readHeaders(index)) };
    }
    // A single-key GET carries that key's ModifyIndex, not the table index (§4).
    return { index: entry.modifyIndex, response: json(200, [entryJson(entry)], readHeaders(entry.modifyIndex)) };
  }

  private kvGet(key: string, query: Record<string, string>): HttpResponse | Promise<HttpResponse> {
    if ("stale" in query && "consistent" in query) return text(400, "Cannot specify ?stale with ?consistent, conflicting semantics.");
    let minIndex = 0;
    if ("index" in query && query.index !== "") {
      const parsed = parseUint(query.index!);
      if (typeof parsed === "string") return text(400, "Invalid index");
      minIndex = parsed;
    }
    let waitMs = 0;
    if ("wait" in query && query.wait !== "") {
      const parsed = parseGoDuration(query.wait!);
      if (!parsed.ok) return text(400, "Invalid wait time");
      waitMs = parsed.ns / 1e6;
    }
    const recurse = "recurse" in query;
    let last = this.kvRead(key, recurse);
    if (minIndex === 0 || last.index > minIndex) return last.response;
    // blockingQuery: clamp the wait, default it, then add RandomStagger(wait/16).
    if (waitMs > this.maxQueryTimeMs) waitMs = this.maxQueryTimeMs;
    else if (waitMs <= 0) waitMs = this.defaultQueryTimeMs;
    waitMs += Math.floor(this.prng.next() * (waitMs / jitterFraction));
    return new Promise<HttpResponse>((resolve) => {
      let done = false;
      const finish = (response: HttpResponse): void => {
        if (done) return;
        done = true;
        timeout.cancelled = true;
        this.waiters.delete(waiter);
        resolve(response);
      };
      const waiter: Waiter = {
        key,
        recurse,
        finish,
        wake: () => {
          last = this.kvRead(key, recurse);
          if (last.index > minIndex) finish(last.response);
        },
      };
      // On time-out Consul answers with the last result it computed, which may be stale (§5).
      const timeout = this.world.schedule({ delayMs: waitMs, label: "consul.wait", run: () => finish(last.response) });
      this.waiters.add(waiter);
    });
  }
}
