import type { Prng } from "../prng.js";
import type { World } from "../world.js";
import type { TraceArgs, TraceKind } from "../../src/trace-events.js";
import { AgentChecks } from "./agent-checks.js";
import { BlockingQueries } from "./blocking-queries.js";
import { RpcError } from "./consul-errors.js";
import { consulRoutes } from "./consul-routes.js";
import { ConsulState, type StateListener } from "./consul-state.js";
import { text } from "./http-replies.js";
import { HttpRouter, type Reply } from "./http-router.js";
import type { HttpRequest } from "./http-types.js";
import { KvEndpoints } from "./kv-endpoints.js";
import { readRequestPath } from "./request-path.js";
import { LeaderState, leaderGoneText, leaveShutdownMs } from "./leader-state.js";
import type { ModelEvents } from "./model-events.js";
import { ModelInvariants } from "./model-invariants.js";
import { WriteRateLimit, type RateLimitStatus } from "./write-rate-limit.js";
import { SessionEndpoints } from "./session-endpoints.js";
import { SessionTtlTimers } from "./session-ttl-timers.js";
import { TxnEndpoint, type TxnOutcome } from "./txn-endpoint.js";

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

/**
 * The in-memory Consul: sessions, KV, TTL timers, lock-delay, blocking queries and leader
 * failover, behind Consul's HTTP API as plain data (consul-semantics.md). It answers on the world's
 * network as the service "consul" and reads time only from the world.
 *
 * This class wires the parts together and is the only place that writes the model's trace.
 */
export class ConsulModel implements StateListener {
  /** Sessions, KV entries, indexes, lock-delays and checks, for tests and diagnostics. */
  readonly state: ConsulState;
  private readonly world: World;
  private readonly ttlTimers: SessionTtlTimers;
  private readonly queries: BlockingQueries;
  private readonly leader: LeaderState;
  private readonly invariants = new ModelInvariants();
  private readonly router: HttpRouter;
  private readonly txnObservers: ((outcome: TxnOutcome) => void)[] = [];
  private readonly limiter: WriteRateLimit;
  private readonly checks: AgentChecks;

  constructor(world: World, options: ConsulModelOptions = {}) {
    this.world = world;
    // One seeded stream for the model, drawn in request order: session UUIDs and wait jitter.
    const prng: Prng = world.prng.fork("consul");
    this.state = new ConsulState(this);
    this.ttlTimers = new SessionTtlTimers({ world, expire: (id) => this.expireSession(id) });
    this.queries = new BlockingQueries({
      world,
      prng,
      defaultQueryTimeMs: options.defaultQueryTimeMs ?? 300_000,
      maxQueryTimeMs: options.maxQueryTimeMs ?? 600_000,
    });
    this.leader = new LeaderState({ world, rpcHoldTimeoutMs: options.rpcHoldTimeoutMs ?? 7_000 });
    // Its own stream, so that a rate-limit fault does not shift session ids or wait jitter.
    this.limiter = new WriteRateLimit(world.prng.fork("rate-limit"));
    const events = this.traceEvents();
    const state = this.state;
    this.checks = new AgentChecks({
      state,
      world,
      events,
      afterExpiry: () => {
        state.commit();
        this.checkInvariants();
      },
    });
    this.router = new HttpRouter(
      consulRoutes({
        sessions: new SessionEndpoints({ state, world, prng, ttlTimers: this.ttlTimers, queries: this.queries, events, ttlMinMs: options.sessionTtlMinMs ?? 10_000 }),
        kv: new KvEndpoints({ state, world, queries: this.queries, events }),
        checks: this.checks,
        txn: new TxnEndpoint({ state, world, events, onTxn: (outcome) => this.txnObservers.forEach((observe) => observe(outcome)) }),
      }),
    );
    world.network.register(options.service ?? "consul", (request) => this.handle(request as HttpRequest));
  }

  /** Every trace record of the model goes through here. */
  private record<K extends TraceKind>(kind: K, ...data: TraceArgs<K>): void {
    this.world.record("consul", kind, ...data);
  }

  /** The endpoints' events, written to the trace. */
  private traceEvents(): ModelEvents {
    return {
      sessionCreated: (s) => this.record("consul.session.create", { session: s.id, ttl: s.ttl, behavior: s.behavior, lockDelayMs: s.lockDelayNs / 1e6 }),
      sessionDestroyed: (session) => this.record("consul.session.destroy", { session }),
      sessionInvalidated: (session, check) => this.record("consul.session.invalidate", { session, check }),
      lockDelayRefused: (key, session) => this.record("consul.kv.lock-delay", { key, session }),
      acquired: (key, session, ok) => this.record("consul.kv.acquire", { key, session, ok }),
      released: (key, session, ok) => this.record("consul.kv.release", { key, session, ok }),
    };
  }

  /** Records each invariant violation as `consul.invariant` (the modelInvariants checker reads them). */
  private checkInvariants(): void {
    for (const violation of this.invariants.check(this.state)) this.record("consul.invariant", { violation });
  }

  /**
   * Calls `observer` with every transaction that reached the server, applied or refused: what
   * Consul itself did, whatever the caller later hears (its answer may be lost on the way back).
   * The simulator uses it to judge effects that land in Consul KV (sim/consul/txn-effects.ts).
   */
  observeTxns(observer: (outcome: TxnOutcome) => void): void {
    this.txnObservers.push(observer);
  }

  // ---- StateListener -----------------------------------------------------------------------

  /** A session is gone (destroyed, expired, invalidated): its TTL timer goes with it. */
  sessionRemoved(id: string): void {
    this.ttlTimers.cancel(id);
  }

  // ---- time --------------------------------------------------------------------------------

  /**
   * Virtual times at which the model's answers may change by themselves: pending session TTL
   * expiries, lock-delay ends and TTL check expiries. For diagnostics and for the differential suite, which must not compare
   * a call that a real agent served within its latency of such a boundary.
   */
  pendingDeadlinesMs(): number[] {
    const now = this.world.nowMs;
    const lockDelayEnds = [...this.state.lockDelays.values()].filter((t) => t > now);
    return [...this.ttlTimers.deadlinesMs(), ...lockDelayEnds, ...this.checks.deadlinesMs()];
  }

  /**
   * When pending TTL checks go critical (virtual ms). A real agent applies such an expiry to the
   * catalog (and so to sessions) only after syncing it, later than the timer itself, and the
   * later the more checks change at once.
   */
  checkDeadlinesMs(): number[] {
    return this.checks.deadlinesMs();
  }

  /** A TTL timer fired (invalidateSession): the session, if still there, is destroyed as by a destroy (§2). */
  private expireSession(id: string): void {
    if (!this.state.findSession(id)) return;
    this.record("consul.session.expire", { session: id });
    this.state.destroySession(id, this.world.nowMs);
    this.state.commit();
    this.checkInvariants();
  }

  /**
   * A leader crash: for `unavailableMs` there is no leader. Blocking queries in flight fail at once
   * with 500 `rpc error making call: EOF`; then, for the first half of the outage, every request
   * fails at once with 500 (the servers still forward to the dead leader), and for the second half
   * requests wait up to RPCHoldTimeout, then fail 500 "No cluster leader" (both measured on a
   * 1.8.7 cluster through a client agent: 1.5-2.4 s of fast errors of 3.0-4.2 s without a leader).
   * When the new leader takes over it re-arms every TTL timer with a fresh 2×TTL and keeps
   * lock-delays (§2, §3).
   */
  failover(options: { unavailableMs: number }): void {
    this.record("consul.leader.lost", { unavailableMs: options.unavailableMs });
    this.ttlTimers.clearAll();
    this.queries.failAll(text(500, leaderGoneText));
    this.leader.lose({
      unavailableMs: options.unavailableMs,
      failFastMs: Math.round(options.unavailableMs / 2),
      onElected: () => this.elected(),
    });
  }

  /**
   * A graceful leadership transfer, as 1.8.7 plays one when the leader runs `consul leave`: it
   * steps down and stops its TTL timers; requests wait for the new leader (no errors, measured: held
   * 2.3-3.8 s, then 200); blocking queries that ran on the old leader stop seeing writes and answer
   * with their old result when it shuts down (detachAll). The new leader re-arms every TTL timer
   * from scratch, whatever the cause of the change (leader.go establishLeadership).
   */
  transferLeader(options: { unavailableMs: number }): void {
    this.record("consul.leader.lost", { unavailableMs: options.unavailableMs, graceful: true });
    this.ttlTimers.clearAll();
    this.queries.detachAll(leaveShutdownMs);
    this.leader.lose({ unavailableMs: options.unavailableMs, onElected: () => this.elected() });
  }

  /** A rate-limit fault: the agent starts refusing a seeded `fraction` of the writes with `status`. */
  rateLimit(options: { fraction: number; status: RateLimitStatus }): void {
    this.record("consul.rate-limit.on", { fraction: options.fraction, status: options.status });
    this.limiter.start(options);
  }

  /** The rate-limit fault ends. */
  unrateLimit(): void {
    this.record("consul.rate-limit.off");
    this.limiter.stop();
  }

  /** The new leader's establishLeadership: every TTL timer re-armed from now (session_ttl.go initializeSessionTimers). */
  private elected(): void {
    this.record("consul.leader.elected", { sessions: this.state.sessions.size });
    this.ttlTimers.rearmAll(this.state.sessions.values());
  }

  // ---- HTTP --------------------------------------------------------------------------------

  /** Answers one request (synchronously, or later for blocking queries and a missing leader). */
  handle(req: HttpRequest): Reply {
    // net/http reads the path before any handler runs: a bad escape or an unclean path is answered
    // by the agent itself, leader or not.
    const reading = readRequestPath(req);
    if ("response" in reading) return reading.response;
    const decoded = reading.path === req.path ? req : { ...req, path: reading.path };
    // The limiter refuses a write on the server that receives it, before it is forwarded to the leader.
    const refused = this.limiter.refuse(decoded);
    if (refused) {
      this.record("consul.rate-limited", { op: refused.op, status: refused.response.status });
      return refused.response;
    }
    return this.leader.serve(() => this.route(decoded));
  }

  /** Routes a request; server-side errors become Consul's 500, and the invariants are checked after a synchronous answer. */
  private route(req: HttpRequest): Reply {
    let response: Reply;
    try {
      response = this.router.route(req);
    } catch (error) {
      if (!(error instanceof RpcError)) throw error;
      response = text(500, error.message);
    }
    // A refused request may still have written (a Raft entry that failed in the FSM consumed its index).
    this.state.commit();
    if (!(response instanceof Promise)) this.checkInvariants();
    return response;
  }
}
