import { AbortedError, ConsulHttpError, ConsulUnavailableError, withoutStack } from "../src/errors.js";
import type { CallOptions, ConsulPort, KvGetOptions, KvGetResult, KvPutOptions, SessionCreateOptions, SessionEntry, TxnOp, TxnResult } from "../src/ports/consul-port.js";
import { txnOpsToJson, txnResultFromJson } from "../src/consul-txn-wire.js";
import { msToGoDuration } from "../src/ports/consul-port.js";
import { entryFromJson, sessionCreateBody, sessionFromJson } from "../src/consul-wire.js";
import { callTimeoutMs, defaultClientDeadline, keepAliveGiveUpMs, type ClientDeadline } from "../src/client-deadline.js";
import { BoundedCache } from "./consul/bounded-cache.js";
import type { HttpRequest, HttpResponse } from "./consul/http-types.js";
import type { HostContext } from "./host.js";
import { NetworkConnectionError, NetworkTimeoutError } from "./sim-errors.js";

/** A blocking read, for the deadline: its `wait` (undefined: Consul's default). */
type Blocking = { waitMs: number | undefined };

/**
 * A key or session id as the real adapter's client puts it in the path: the `consul` npm client
 * (papi) replaces `{key}` with encodeURIComponent(key), so `/` is sent as `%2F`, `%` as `%25`,
 * `?` as `%3F`. Both adapters send the same bytes, and the model decodes them as Consul does.
 */
export function pathParam(value: string): string {
  return encodeURIComponent(value);
}

/**
 * Request paths by their parameter, one cache per route prefix: a worker names the same task keys
 * in every run and the same session in several calls, and encodeURIComponent plus the
 * concatenation cost ~1% of a generated fenced run (callgrind). Handing out the same path string
 * also lets the model's path reading find it again (request-path.ts). Bounded: keys are input.
 */
const pathCaches = new Map<string, BoundedCache<string, string>>();

/**
 * A request with every field present, in one order: one map for every request the model reads.
 * Literals with and without `query` or `body` were four maps, and readRequestPath (inlined into
 * ConsulModel.handle) still deopted late in a sweep ("wrong map" on req.path, --trace-deopt).
 */
function request(method: HttpRequest["method"], path: string, query?: Record<string, string>, body?: string): HttpRequest {
  return { method, path, query, body };
}

/** `${prefix}${pathParam(value)}`, kept per prefix and value. */
function paramPath(prefix: string, value: string): string {
  let cache = pathCaches.get(prefix);
  if (!cache) pathCaches.set(prefix, (cache = new BoundedCache(1_024)));
  return cache.get(value) ?? cache.set(value, `${prefix}${pathParam(value)}`);
}

/** A create body kept with the options, less the name, that it encodes. */
interface KeptCreateBody {
  ttlMs: number | undefined;
  lockDelayMs: number | undefined;
  behavior: "release" | "delete" | undefined;
  body: string;
}

/**
 * Create bodies by the session name, then the other options they encode: a worker sends the same
 * few in every run, and encoding one (two Go durations and a JSON.stringify) cost ~1% of a
 * generated fenced run (callgrind). Keyed by the name itself rather than by a string built from
 * every field: hashing such a fresh key cost half of what the cache saved. The body depends only
 * on the options; bounded (by name, and per name), as they come from input.
 */
const createBodies = new BoundedCache<string | undefined, KeptCreateBody[]>(1_024);

/** How many option sets one name keeps before it forgets them. */
const createBodiesPerNameMax = 16;

/** Whether `v` is absent or of type `type` (a JavaScript worker may pass anything). */
const absentOr = (v: unknown, type: "number" | "string"): boolean => v === undefined || typeof v === type;

/** JSON.stringify(sessionCreateBody(options)), kept when its fields are the usual plain values. */
function createBodyJson(options: SessionCreateOptions): string {
  const { ttlMs, lockDelayMs, behavior, name } = options;
  const usual = options.nodeChecks === undefined && absentOr(ttlMs, "number") && absentOr(lockDelayMs, "number") && (behavior === undefined || behavior === "release" || behavior === "delete") && absentOr(name, "string");
  if (!usual) return JSON.stringify(sessionCreateBody(options));
  let kept = createBodies.get(name);
  if (!kept) kept = createBodies.set(name, []);
  // Object.is: NaN finds NaN, and 0 and -0 stay apart, as their encodings might.
  for (const k of kept) if (Object.is(k.ttlMs, ttlMs) && Object.is(k.lockDelayMs, lockDelayMs) && k.behavior === behavior) return k.body;
  if (kept.length >= createBodiesPerNameMax) kept.length = 0;
  const body = JSON.stringify(sessionCreateBody(options));
  kept.push({ ttlMs, lockDelayMs, behavior, body });
  return body;
}

/**
 * The ConsulPort of a simulated host: each call is an HTTP request to the model, carried by the
 * world's network (latency, loss, partitions apply), under the worker's client deadline, the same
 * one the real adapter applies (ClientDeadline, src/client-deadline.ts).
 */
export class SimConsulPort implements ConsulPort {
  /** The deadline's time-out of a call that is not a blocking read, and its keep-alive give-up (ms). */
  private readonly plainTimeoutMs: number | undefined;
  private readonly keepAliveGiveUpMs: number | undefined;

  constructor(
    private readonly host: Pick<HostContext, "call">,
    private readonly service = "consul",
    private readonly deadline: ClientDeadline = defaultClientDeadline,
  ) {
    this.plainTimeoutMs = callTimeoutMs(deadline, { blocking: false });
    this.keepAliveGiveUpMs = keepAliveGiveUpMs(deadline);
  }

  /** Sends one call; `blocking` names a blocking read's wait, for its deadline. */
  private async send(op: string, req: HttpRequest, options: CallOptions | undefined, blocking?: Blocking): Promise<HttpResponse> {
    const timeoutMs = options?.timeoutMs ?? (blocking ? callTimeoutMs(this.deadline, { blocking: true, waitMs: blocking.waitMs }) : this.plainTimeoutMs);
    try {
      return await this.host.call<HttpResponse>(this.service, req, { timeoutMs, keepAliveGiveUpMs: this.keepAliveGiveUpMs, signal: options?.signal, op });
    } catch (error) {
      // Both are expected on every partition and lost packet: built without a stack (withoutStack).
      if (error instanceof NetworkTimeoutError) throw withoutStack(() => new ConsulUnavailableError({ operation: op, reason: error.message, timeoutMs }));
      // Refused, reset, or given up by keep-alive: a transport error, as the real adapter reports it.
      if (error instanceof NetworkConnectionError) throw withoutStack(() => new ConsulUnavailableError({ operation: op, reason: error.message }));
      if (error instanceof AbortedError) throw error;
      throw error;
    }
  }

  /**
   * Throws Consul's answer as a ConsulHttpError. The statuses every fault path produces (429 and
   * 503 from a rate limit, 500 while the leader is gone or for a refused session) are built without
   * a stack (withoutStack); any other status would be a bug in a worker or the model, so it keeps one.
   */
  private fail(op: string, res: HttpResponse): never {
    const options = { status: res.status, body: res.body, operation: op };
    if (res.status === 429 || res.status === 500 || res.status === 503) throw withoutStack(() => new ConsulHttpError(options));
    throw new ConsulHttpError(options);
  }

  async sessionCreate(options: SessionCreateOptions = {}): Promise<string> {
    const res = await this.send("session.create", request("PUT", "/v1/session/create", undefined, createBodyJson(options)), options);
    if (res.status !== 200) this.fail("session.create", res);
    return (JSON.parse(res.body) as { ID: string }).ID;
  }

  async sessionRenew(id: string, options?: CallOptions): Promise<SessionEntry | null> {
    const res = await this.send("session.renew", request("PUT", paramPath("/v1/session/renew/", id)), options);
    if (res.status === 404) return null;
    if (res.status !== 200) this.fail("session.renew", res);
    const list = JSON.parse(res.body) as Parameters<typeof sessionFromJson>[0][];
    return list[0] ? sessionFromJson(list[0]) : null;
  }

  async sessionDestroy(id: string, options?: CallOptions): Promise<boolean> {
    const res = await this.send("session.destroy", request("PUT", paramPath("/v1/session/destroy/", id)), options);
    if (res.status !== 200) this.fail("session.destroy", res);
    return JSON.parse(res.body) === true;
  }

  async sessionInfo(id: string, options?: CallOptions): Promise<SessionEntry | null> {
    const res = await this.send("session.info", request("GET", paramPath("/v1/session/info/", id)), options);
    if (res.status !== 200) this.fail("session.info", res);
    const list = JSON.parse(res.body) as Parameters<typeof sessionFromJson>[0][];
    return list[0] ? sessionFromJson(list[0]) : null;
  }

  async kvGet(key: string, options: KvGetOptions = {}): Promise<KvGetResult> {
    const query: Record<string, string> = {};
    if (options.index !== undefined) query.index = String(options.index);
    if (options.waitMs !== undefined) query.wait = msToGoDuration(options.waitMs);
    if (options.consistent) query.consistent = "";
    const blocking = options.index !== undefined && options.index > 0;
    const res = await this.send("kv.get", request("GET", paramPath("/v1/kv/", key), query), options, blocking ? { waitMs: options.waitMs } : undefined);
    const index = Number(res.headers["x-consul-index"] ?? 0);
    if (res.status === 404) return { entry: null, index };
    if (res.status !== 200) this.fail("kv.get", res);
    const list = JSON.parse(res.body) as Parameters<typeof entryFromJson>[0][];
    return { entry: list[0] ? entryFromJson(list[0], true) : null, index };
  }

  async kvPut(key: string, value: string | null, options: KvPutOptions = {}): Promise<boolean> {
    const query: Record<string, string> = {};
    if (options.acquire !== undefined) query.acquire = options.acquire;
    if (options.release !== undefined) query.release = options.release;
    if (options.cas !== undefined) query.cas = String(options.cas);
    if (options.flags !== undefined) query.flags = String(options.flags);
    const op = options.acquire !== undefined ? "kv.acquire" : options.release !== undefined ? "kv.release" : "kv.put";
    const res = await this.send(op, request("PUT", paramPath("/v1/kv/", key), query, value ?? undefined), options);
    if (res.status !== 200) this.fail(op, res);
    return JSON.parse(res.body) === true;
  }

  async kvDelete(key: string, options: CallOptions & { cas?: number } = {}): Promise<boolean> {
    const query: Record<string, string> = options.cas !== undefined ? { cas: String(options.cas) } : {};
    const res = await this.send("kv.delete", request("DELETE", paramPath("/v1/kv/", key), query), options);
    if (res.status !== 200) this.fail("kv.delete", res);
    return JSON.parse(res.body) === true;
  }

  async txn(ops: readonly TxnOp[], options?: CallOptions): Promise<TxnResult> {
    const body = JSON.stringify(txnOpsToJson(ops));
    const res = await this.send("txn", request("PUT", "/v1/txn", undefined, body), options);
    const result = txnResultFromJson(res.status, res.status === 200 || res.status === 409 ? JSON.parse(res.body) : undefined);
    if (!result) this.fail("txn", res);
    return result;
  }
}
