import { EventEmitter } from "node:events";
import Consul from "consul";
import { AbortedError, ConsulHttpError, ConsulUnavailableError } from "../errors.js";
import type { CallOptions, ConsulPort, KvGetOptions, KvGetResult, KvPutOptions, SessionCreateOptions, SessionEntry, TxnOp, TxnResult } from "../ports/consul-port.js";
import { txnOpsToJson, txnResultFromJson } from "../consul-txn-wire.js";
import { msToGoDuration } from "../ports/consul-port.js";
import { entryFromJson, sessionCreateBody, sessionFromJson } from "../consul-wire.js";
import { callTimeoutMs, defaultClientDeadline, type ClientDeadline } from "../client-deadline.js";

/** Options of the real adapter. */
export interface ConsulClientPortOptions {
  /** Agent base URL, e.g. "http://127.0.0.1:8500". */
  addr: string;
  /** ACL token (sent as X-Consul-Token; never logged). Default: CONSUL_HTTP_TOKEN if set. */
  token?: string | undefined;
  /**
   * How long a call may take before it fails with ConsulUnavailableError: the same ClientDeadline the
   * simulated port applies (src/client-deadline.ts). Default `defaultClientDeadline`. Its
   * `keepAliveGiveUpMs` is the TCP stack's business on a real network (Node sets only the keep-alive
   * idle time, not the probe interval or count); the real replay's worker gate plays it in partitions.
   */
  clientDeadline?: ClientDeadline | undefined;
}

/** A blocking read, for the deadline: its `wait` (undefined: Consul's default). */
type Blocking = { waitMs: number | undefined };

interface PapiResponse {
  statusCode: number;
  headers: Record<string, string | undefined>;
  body: unknown;
}

type PapiCtx = EventEmitter & { includeResponse: true };

// The `consul` package's typings do not cover `ctx`/`timeout`; these are its documented papi options.
type AnyConsulCall = (opts: Record<string, unknown>) => Promise<unknown>;

/**
 * The production ConsulPort, over the `consul` npm client. Every call gets the time-out of its
 * client deadline (none, for the Go client's) and can be aborted; Consul's non-2xx answers become ConsulHttpError with Consul's own status and body, and
 * transport failures become ConsulUnavailableError.
 */
export class ConsulClientPort implements ConsulPort {
  private readonly client: Consul;
  private readonly token: string | undefined;
  private readonly deadline: ClientDeadline;

  constructor(options: ConsulClientPortOptions) {
    this.deadline = options.clientDeadline ?? defaultClientDeadline;
    this.client = new Consul({ baseUrl: `${options.addr.replace(/\/+$/, "")}/v1` } as unknown as ConstructorParameters<typeof Consul>[0]);
    this.token = options.token ?? process.env.CONSUL_HTTP_TOKEN;
  }

  /** Closes the keep-alive agent. */
  close(): void {
    this.client.destroy();
  }

  private async call<T>(op: string, fn: AnyConsulCall, opts: Record<string, unknown>, options: CallOptions | undefined, blocking?: Blocking): Promise<[PapiResponse, T]> {
    const timeoutMs = options?.timeoutMs ?? callTimeoutMs(this.deadline, { blocking: blocking !== undefined, waitMs: blocking?.waitMs });
    const ctx = Object.assign(new EventEmitter(), { includeResponse: true as const }) as PapiCtx;
    const signal = options?.signal;
    if (signal?.aborted) throw new AbortedError(op, signal.reason);
    const onAbort = (): void => {
      ctx.emit("cancel");
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      // No `timeout` key at all when the deadline has none: papi then sets no timer.
      const result = (await fn({ ...opts, ctx, ...(timeoutMs !== undefined ? { timeout: timeoutMs } : {}), ...(this.token ? { token: this.token } : {}) })) as [PapiResponse, T];
      return result;
    } catch (error) {
      if (signal?.aborted) throw new AbortedError(op, signal.reason);
      const response = (error as { response?: PapiResponse }).response;
      if (response && typeof response.statusCode === "number") {
        return [response, undefined as T];
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConsulUnavailableError({ operation: op, reason, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  private fail(op: string, res: PapiResponse): never {
    const body = typeof res.body === "string" ? res.body : res.body === undefined ? "" : JSON.stringify(res.body);
    throw new ConsulHttpError({ status: res.statusCode, body, operation: op });
  }

  async sessionCreate(options: SessionCreateOptions = {}): Promise<string> {
    const body = sessionCreateBody(options);
    const opts: Record<string, unknown> = {};
    if (body.Name !== undefined) opts.name = body.Name;
    if (body.TTL !== undefined) opts.ttl = body.TTL;
    if (body.Behavior !== undefined) opts.behavior = body.Behavior;
    if (body.LockDelay !== undefined) opts.lockdelay = body.LockDelay;
    if (body.Checks !== undefined) opts.checks = body.Checks;
    const [res, out] = await this.call<{ ID: string }>("session.create", (o) => this.client.session.create(o), opts, options);
    if (res.statusCode !== 200) this.fail("session.create", res);
    return out.ID;
  }

  async sessionRenew(id: string, options?: CallOptions): Promise<SessionEntry | null> {
    const [res, out] = await this.call<Parameters<typeof sessionFromJson>[0][]>("session.renew", (o) => this.client.session.renew(o as never), { id }, options);
    if (res.statusCode === 404) return null;
    if (res.statusCode !== 200) this.fail("session.renew", res);
    return out[0] ? sessionFromJson(out[0]) : null;
  }

  async sessionDestroy(id: string, options?: CallOptions): Promise<boolean> {
    const [res] = await this.call<undefined>("session.destroy", (o) => this.client.session.destroy(o as never), { id }, options);
    if (res.statusCode !== 200) this.fail("session.destroy", res);
    return true;
  }

  async sessionInfo(id: string, options?: CallOptions): Promise<SessionEntry | null> {
    const [res, out] = await this.call<Parameters<typeof sessionFromJson>[0] | undefined>("session.info", (o) => this.client.session.info(o as never), { id }, options);
    if (res.statusCode !== 200) this.fail("session.info", res);
    return out ? sessionFromJson(out) : null;
  }

  async kvGet(key: string, options: KvGetOptions = {}): Promise<KvGetResult> {
    const opts: Record<string, unknown> = { key };
    if (options.index !== undefined) opts.index = options.index;
    if (options.waitMs !== undefined) opts.wait = msToGoDuration(options.waitMs);
    if (options.consistent) opts.consistent = true;
    const blocking = options.index !== undefined && options.index > 0;
    const [res, out] = await this.call<Parameters<typeof entryFromJson>[0] | undefined>("kv.get", (o) => this.client.kv.get(o as never), opts, options, blocking ? { waitMs: options.waitMs } : undefined);
    const index = Number(res.headers["x-consul-index"] ?? 0);
    if (res.statusCode === 404) return { entry: null, index };
    if (res.statusCode !== 200) this.fail("kv.get", res);
    // The client already decoded Value from base64.
    return { entry: out ? entryFromJson(out, false) : null, index };
  }

  async kvPut(key: string, value: string | null, options: KvPutOptions = {}): Promise<boolean> {
    const opts: Record<string, unknown> = { key, value: value ?? "" };
    if (options.acquire !== undefined) opts.acquire = options.acquire;
    if (options.release !== undefined) opts.release = options.release;
    if (options.cas !== undefined) opts.cas = options.cas;
    if (options.flags !== undefined) opts.flags = String(options.flags);
    const op = options.acquire !== undefined ? "kv.acquire" : options.release !== undefined ? "kv.release" : "kv.put";
    // The client refuses an empty key itself ("key required") before sending anything; the agent
    // answers 400 `Missing key name`, as the simulated port sees it, so send that request as is.
    const set: AnyConsulCall = key === "" ? (o) => this.putEmptyKey(o) : (o) => this.client.kv.set(o as never);
    const [res, out] = await this.call<boolean>(op, set, opts, options);
    if (res.statusCode !== 200) this.fail(op, res);
    return out === true;
  }

  /** `PUT /v1/kv/` through the client's generic request, with the options kv.set would send. */
  private putEmptyKey(o: Record<string, unknown>): Promise<unknown> {
    const { ctx, timeout, token, value, key: _key, ...query } = o;
    const client = this.client as unknown as { _put(req: Record<string, unknown>): Promise<unknown> };
    const headers = typeof token === "string" ? { "x-consul-token": token } : {};
    return client._put({ name: "kv.set", path: "/kv/{key}", params: { key: "" }, query, type: "text", body: value, ctx, timeout, headers });
  }

  async kvDelete(key: string, options: CallOptions & { cas?: number } = {}): Promise<boolean> {
    const opts: Record<string, unknown> = { key };
    if (options.cas !== undefined) opts.cas = options.cas;
    const [res, out] = await this.call<boolean>("kv.delete", (o) => this.client.kv.del(o as never), opts, options);
    if (res.statusCode !== 200) this.fail("kv.delete", res);
    return out === true;
  }

  /** PUT /v1/txn through the client's `transaction.create`; a 409 is an outcome, not an error. */
  async txn(ops: readonly TxnOp[], options?: CallOptions): Promise<TxnResult> {
    const operations = txnOpsToJson(ops);
    const [res, out] = await this.call<unknown>("txn", (o) => this.client.transaction.create(operations as never, o as never), {}, options);
    // On a 409 the client rejects and `call` hands back the response, whose body papi parsed as JSON.
    const body: unknown = res.statusCode === 200 ? out : typeof res.body === "string" && res.body.trim().startsWith("{") ? JSON.parse(res.body) : res.body;
    const result = txnResultFromJson(res.statusCode, body);
    if (!result) this.fail("txn", res);
    return result;
  }
}
