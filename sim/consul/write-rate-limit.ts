import type { Prng } from "../prng.js";
import { text } from "./http-replies.js";
import type { HttpRequest, HttpResponse } from "./http-types.js";

/**
 * The bodies of Consul 1.15+'s request-limiter refusals (agent/consul/rate/handler.go): a server
 * that is not the leader answers 429 ErrRetryElsewhere; the leader answers a write 503
 * ErrRetryLater, since no other server could take it. Consul 1.8.7 has no such server-side limiter;
 * its client agent's `limits.rpc_rate` answers 429 with an empty body (measured), for reads too.
 */
export const rateLimitBodies = {
  429: "rate limit exceeded, try again later or against a different server",
  503: "rate limit exceeded for operation that can only be performed by the leader, try again later",
} as const;

/** A status the limiter answers with. */
export type RateLimitStatus = keyof typeof rateLimitBodies;

/**
 * The ConsulPort operation a write request is (the names both worlds use in the trace), or
 * undefined for a read. Writes are what the limiter counts as writes: KVS.Apply, Session.Apply,
 * Session.Renew and Txn.Apply (agent/consul/rate: Session.Renew is a write).
 */
export function writeOp(req: HttpRequest): string | undefined {
  if (req.method === "GET") return undefined;
  const q = req.query ?? {};
  if (req.path.startsWith("/v1/kv/")) {
    if (req.method === "DELETE") return "kv.delete";
    return "acquire" in q ? "kv.acquire" : "release" in q ? "kv.release" : "kv.put";
  }
  const session = /^\/v1\/session\/(create|renew|destroy)\b/.exec(req.path);
  if (session) return `session.${session[1]}`;
  if (req.path === "/v1/txn") return "txn";
  return undefined;
}

/**
 * The agent's write limiter as a fault switches it: while on, each write is refused with the
 * fault's status with probability `fraction`, drawn from the world's seeded "rate-limit" stream in
 * the order the writes arrive, so the same seed refuses the same writes.
 */
export class WriteRateLimit {
  private active: { fraction: number; status: RateLimitStatus } | undefined;

  constructor(private readonly prng: Pick<Prng, "chance">) {}

  /** Switches the limiter on. */
  start(options: { fraction: number; status: RateLimitStatus }): void {
    this.active = { ...options };
  }

  /** Switches it off. */
  stop(): void {
    this.active = undefined;
  }

  /** The refusal of `req`, or undefined when it passes (a read, the limiter off, or not drawn). */
  refuse(req: HttpRequest): { op: string; response: HttpResponse } | undefined {
    const active = this.active;
    if (!active) return undefined;
    const op = writeOp(req);
    if (op === undefined || !this.prng.chance(active.fraction)) return undefined;
    return { op, response: text(active.status, rateLimitBodies[active.status]) };
  }
}
