import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { World } from "../../sim/world.js";
import { ConsulModel } from "../../sim/consul/consul-model.js";
import type { HttpRequest, HttpResponse } from "../../sim/consul/http-types.js";

/** A request in flight. */
export interface Pending {
  settled: boolean;
  value?: HttpResponse;
  promise: Promise<HttpResponse>;
  /** When the request actually left (after any client-side queueing), on the target's clock. */
  startedAtMs?: number;
}

/**
 * Where conformance cases run: the in-memory model (virtual time) or a real agent (real time).
 * Cases use only this interface, so the same calls and the same assertions run on both.
 */
export interface ConsulTarget {
  readonly kind: "model" | "real";
  /** A unique key under this target's prefix. */
  key(name: string): string;
  send(req: HttpRequest): Pending;
  wait(pending: Pending): Promise<HttpResponse>;
  request(req: HttpRequest): Promise<HttpResponse>;
  sleepMs(ms: number): Promise<void>;
  /** ms on this target's clock (virtual for the model). */
  nowMs(): number;
  /** A unique name for things other than keys (check ids). */
  unique(name: string): string;
  /** Session ids created through this target, for cleanup. */
  readonly sessions: Set<string>;
  /** Times (this target's clock) at which answers may change by themselves; [] when unknown. */
  deadlinesMs(): number[];
}

abstract class BaseTarget {
  readonly sessions = new Set<string>();
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  key(name: string): string {
    return `${this.prefix}${name}`;
  }

  unique(name: string): string {
    return `${name}-${this.prefix.replace(/[^a-z0-9]/gi, "").slice(-12)}`;
  }

  /** Checks registered through this target, for cleanup. */
  readonly checks = new Set<string>();

  protected track(req: HttpRequest, res: HttpResponse): void {
    if (req.path === "/v1/session/create" && res.status === 200) {
      this.sessions.add((JSON.parse(res.body) as { ID: string }).ID);
    }
    if (req.path === "/v1/agent/check/register" && res.status === 200) {
      const body = JSON.parse(req.body ?? "{}") as { ID?: string; Name?: string };
      this.checks.add(body.ID ?? body.Name ?? "");
    }
  }

  abstract send(req: HttpRequest): Pending;
  abstract wait(pending: Pending): Promise<HttpResponse>;

  request(req: HttpRequest): Promise<HttpResponse> {
    return this.wait(this.send(req));
  }
}

/** The model in a world of its own; waits advance virtual time. */
export class ModelTarget extends BaseTarget implements ConsulTarget {
  readonly kind = "model" as const;
  readonly world: World;
  readonly model: ConsulModel;

  constructor(seed: string | number = 1) {
    super(`conf/${String(seed)}/`);
    this.world = new World({ seed, traceSteps: false });
    this.model = new ConsulModel(this.world);
  }

  send(req: HttpRequest): Pending {
    const answer = this.model.handle(req);
    if (!(answer instanceof Promise)) {
      this.track(req, answer);
      return { settled: true, value: answer, promise: Promise.resolve(answer) };
    }
    const pending: Pending = { settled: false, promise: answer };
    void answer.then((v) => {
      this.track(req, v);
      pending.settled = true;
      pending.value = v;
    });
    return pending;
  }

  async wait(pending: Pending): Promise<HttpResponse> {
    if (!pending.settled) await this.world.run({ until: () => pending.settled });
    if (!pending.settled) throw new Error("model target: request never answered (world went quiet)");
    return pending.value!;
  }

  async sleepMs(ms: number): Promise<void> {
    await this.world.run({ untilMs: this.world.nowMs + ms });
  }

  nowMs(): number {
    return this.world.nowMs;
  }

  deadlinesMs(): number[] {
    // A TTL check's expiry reaches a real agent's catalog after an anti-entropy sync, which lags
    // when many checks expire together (the differential suite's 200 sequences register theirs at
    // once): treat the 4s after it as a boundary too (points 400ms apart, each ± the 200ms margin,
    // so the window is unbroken). 1.6s was not enough on a loaded 2-core CI run: a create naming
    // the check >1.8s after its expiry still got 200 from the real agent (sequence 196, step 22).
    const lagging = this.model.checkDeadlinesMs().flatMap((d) => Array.from({ length: 10 }, (_, i) => d + (i + 1) * 400));
    return [...this.model.pendingDeadlinesMs(), ...lagging];
  }
}

/** Encodes a query: a flag with an empty value is sent bare (`?consistent`). */
export function queryString(query: Record<string, string> | undefined): string {
  const parts = Object.entries(query ?? {}).map(([k, v]) =>
    v === "" ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`,
  );
  return parts.length ? `?${parts.join("&")}` : "";
}

// Consul limits each client address to 200 concurrent HTTP connections (limits.http_max_conns_per_client);
// the differential suite runs 200 sequences at once, so requests queue for one of 64 slots.
const slotsMax = 64;
let slotsUsed = 0;
const slotWaiters: (() => void)[] = [];

async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (slotsUsed >= slotsMax) await new Promise<void>((resolve) => slotWaiters.push(resolve));
  else slotsUsed++;
  try {
    return await fn();
  } finally {
    const next = slotWaiters.shift();
    if (next) next();
    else slotsUsed--;
  }
}

/** Sends one request to a real agent with fetch; header names lower-case. */
export function httpExchange(addr: string, req: HttpRequest, token?: string, onStart?: () => void): Promise<HttpResponse> {
  return withSlot(() => {
    onStart?.();
    return exchange(addr, req, token);
  });
}

async function exchange(addr: string, req: HttpRequest, token?: string): Promise<HttpResponse> {
  const res = await fetch(`${addr}${req.path}${queryString(req.query)}`, {
    method: req.method,
    // Consul's 301s (unclean paths) are answers to compare, not to follow.
    redirect: "manual",
    body: req.body === undefined ? undefined : req.body,
    headers: token ? { "x-consul-token": token } : {},
  });
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => (headers[k.toLowerCase()] = v));
  return { status: res.status, body: await res.text(), headers };
}

/** A real agent over HTTP; waits are real. Everything lives under a unique key prefix. */
export class RealTarget extends BaseTarget implements ConsulTarget {
  readonly kind = "real" as const;

  constructor(readonly addr: string) {
    super(`locksim-test/${randomUUID()}/`);
  }

  send(req: HttpRequest): Pending {
    const pending: Pending = { settled: false, promise: undefined as unknown as Promise<HttpResponse> };
    pending.promise = httpExchange(this.addr, req, undefined, () => (pending.startedAtMs = this.nowMs())).then((v) => {
      this.track(req, v);
      pending.settled = true;
      pending.value = v;
      return v;
    });
    return pending;
  }

  wait(pending: Pending): Promise<HttpResponse> {
    return pending.promise;
  }

  sleepMs(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  nowMs(): number {
    return performance.now();
  }

  deadlinesMs(): number[] {
    return [];
  }

  /** Destroys every session this target created and deletes its prefix; returns what was left. */
  async cleanup(): Promise<{ sessionsLeft: string[]; keysLeft: number }> {
    for (const id of this.sessions) await httpExchange(this.addr, { method: "PUT", path: `/v1/session/destroy/${id}` });
    for (const id of this.checks) await httpExchange(this.addr, { method: "PUT", path: `/v1/agent/check/deregister/${encodeURIComponent(id)}` });
    await httpExchange(this.addr, { method: "DELETE", path: `/v1/kv/${this.prefix}`, query: { recurse: "" } });
    const list = await httpExchange(this.addr, { method: "GET", path: "/v1/session/list" });
    const live = new Set((JSON.parse(list.body) as { ID: string }[]).map((s) => s.ID));
    const keys = await httpExchange(this.addr, { method: "GET", path: `/v1/kv/${this.prefix}`, query: { recurse: "" } });
    return {
      sessionsLeft: [...this.sessions].filter((id) => live.has(id)),
      keysLeft: keys.status === 404 ? 0 : (JSON.parse(keys.body) as unknown[]).length,
    };
  }
}

/**
 * Runs `run` on a fresh RealTarget of the agent at `addr`, then removes what it created and expects
 * nothing left behind: no live session, no key under its prefix. The cleanup runs, and is checked,
 * even when `run` throws, so that one failing case cannot leave sessions that disturb the others
 * running at the same time on the same agent.
 */
export async function runOnRealTarget(addr: string, run: (target: RealTarget) => Promise<void>): Promise<void> {
  const target = new RealTarget(addr);
  try {
    await run(target);
  } finally {
    const left = await target.cleanup();
    expect(left).toEqual({ sessionsLeft: [], keysLeft: 0 });
  }
}
