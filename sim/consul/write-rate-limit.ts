import type { Prng } from "../prng.js";
import { text } from "./http-replies.js";
import type { HttpRequest, HttpResponse } from "./http-types.js";
import { DecodeError } from "./consul-errors.js";
import { decodeTxnBody } from "./txn-decode.js";
import { txnBodyBytesMax, txnOpsMax } from "./txn-endpoint.js";
import { txnWriteVerbs } from "./txn-kv-ops.js";

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
 * Whether a PUT /v1/txn body is a write: it decodes, is within the agent's limits, and has a KV
 * operation with a write verb. Consul's agent (agent/txn_endpoint.go, convertOps and isWrite) sends
 * a transaction of reads and checks only as Txn.Read, which the 1.15 limiter counts as a read; a
 * body it cannot decode or that is too large is answered 400/413 before any RPC.
 */
function txnIsWrite(body: string | undefined): boolean {
  if (Buffer.byteLength(body ?? "") > txnBodyBytesMax) return false;
  try {
    const decoded = decodeTxnBody(body);
    return decoded.count <= txnOpsMax && decoded.ops.some((op) => txnWriteVerbs.has(op.verb));
  } catch (error) {
    if (error instanceof DecodeError) return false;
    throw error;
  }
}

/** The write operation of a /v1/kv/ request with the right method, or undefined (a read, or a 400 before any RPC). */
function kvWriteOp(req: HttpRequest): string | undefined {
  const q = req.query ?? {};
  // agent/kvs_endpoint.go: an empty key is refused with 400 "Missing key name", except a recursive delete.
  const empty = req.path === "/v1/kv/";
  if (req.method === "DELETE") return empty && !("recurse" in q) ? undefined : "kv.delete";
  if (req.method !== "PUT" || empty) return undefined;
  return "acquire" in q ? "kv.acquire" : "release" in q ? "kv.release" : "kv.put";
}

/**
 * The ConsulPort operation a write request is (the names both worlds use in the trace), or
 * undefined for a read. Writes are what the limiter counts as writes: KVS.Apply, Session.Apply,
 * Session.Renew and Txn.Apply (agent/consul/rate: Session.Renew is a write). Only a request that
 * reaches one of these RPCs counts: a route the model serves with this method (consul-routes.ts;
 * a wrong method is the agent's 405, before any RPC), and a transaction with a write verb.
 */
export function writeOp(req: HttpRequest): string | undefined {
  if (req.path.startsWith("/v1/kv/")) return kvWriteOp(req);
  if (req.method !== "PUT") return undefined;
  if (req.path === "/v1/session/create") return "session.create";
  // An empty id is the agent's 400 "Missing session" (agent/session_endpoint.go).
  const session = /^\/v1\/session\/(renew|destroy)\/./.exec(req.path);
  if (session) return `session.${session[1]}`;
  if (req.path === "/v1/txn" && txnIsWrite(req.body)) return "txn";
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
