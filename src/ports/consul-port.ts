/**
 * The lock subset of Consul's HTTP API that worker code may use (design.md §2, Ports). The real
 * adapter (src/real/consul-client-port.ts) talks to an agent through the `consul` npm client; the
 * simulated one (sim/sim-consul-port.ts) sends the same requests over the simulated network to the
 * in-memory model. Durations cross as `…Ms` numbers and become Consul strings ("15s") only inside
 * the adapters.
 *
 * Errors keep Consul's semantics: a non-2xx answer rejects with ConsulHttpError (status and body
 * as Consul sent them), no answer with ConsulUnavailableError, an abort with AbortedError.
 */

/** Options every call takes. */
export interface CallOptions {
  /** Abandon the call (the request may still have reached Consul). */
  signal?: AbortSignal;
  /** Give up after this long without an answer. Default: the adapter's (10s; blocking: wait + 10s). */
  timeoutMs?: number;
}

/** PUT /v1/session/create. Omitted fields take Consul's defaults. */
export interface SessionCreateOptions extends CallOptions {
  name?: string;
  /** Session TTL in ms; Consul accepts 10,000–86,400,000 (or none). Default: no TTL. */
  ttlMs?: number;
  /** What invalidation does to held keys. Consul's default: "release". */
  behavior?: "release" | "delete";
  /** Lock-delay in ms (Consul applies at most 60,000). Consul's default: 15,000. */
  lockDelayMs?: number;
  /** Node checks; [] for none. Consul's default: ["serfHealth"]. */
  nodeChecks?: string[];
}

/** A session as Consul stores it. */
export interface SessionEntry {
  id: string;
  name: string;
  node: string;
  behavior: "release" | "delete";
  /** The TTL string as stored ("15s"), "" for none. */
  ttl: string;
  lockDelayMs: number;
  nodeChecks: string[] | null;
  createIndex: number;
  modifyIndex: number;
}

/** A KV entry. `value` is decoded to a UTF-8 string (null when Consul has none). */
export interface KvEntry {
  key: string;
  value: string | null;
  flags: number;
  lockIndex: number;
  /** The holding session, or undefined when the key is not locked. */
  session: string | undefined;
  createIndex: number;
  modifyIndex: number;
}

/** The result of a KV read: the entry (null when the key is missing) and X-Consul-Index. */
export interface KvGetResult {
  entry: KvEntry | null;
  index: number;
}

/** GET /v1/kv/<key> options. */
export interface KvGetOptions extends CallOptions {
  /** Block until the key's index exceeds this (a blocking query). */
  index?: number;
  /** How long a blocking query may wait; Consul adds up to wait/16 of jitter. Default 5 minutes. */
  waitMs?: number;
  /** `?consistent`: a quorum-verified read (the Go client's lock monitor uses it). */
  consistent?: boolean;
}

/** PUT /v1/kv/<key> options: at most one of acquire, release, cas. */
export interface KvPutOptions extends CallOptions {
  acquire?: string;
  release?: string;
  cas?: number;
  /** Consul flags are uint64: pass a bigint for values above 2^53 (the Go client's LockFlagValue). */
  flags?: number | bigint;
}

/**
 * One KV operation of a transaction (PUT /v1/txn), with Consul's verbs. Values are UTF-8 strings
 * here (null for none) and become base64 only inside the adapters; `index` is a ModifyIndex.
 */
export type TxnOp =
  | { verb: "set"; key: string; value: string | null; flags?: number }
  | { verb: "cas"; key: string; value: string | null; index: number; flags?: number }
  | { verb: "lock" | "unlock"; key: string; value: string | null; session: string; flags?: number }
  | { verb: "get" | "get-tree" | "check-not-exists" | "delete" | "delete-tree"; key: string }
  | { verb: "check-index" | "delete-cas"; key: string; index: number }
  | { verb: "check-session"; key: string; session: string };

/** A KV verb of /v1/txn. */
export type TxnVerb = TxnOp["verb"];

/** Why an operation made a transaction fail: its position in the list and Consul's text. */
export interface TxnOpError {
  opIndex: number;
  /** Consul's message, verbatim, e.g. `failed session check for key "k", current session "" != "…"`. */
  what: string;
}

/**
 * A transaction's outcome. `ok`: every operation applied, atomically, at one Raft index; `results`
 * holds one entry per operation that yields one (writes and checks without their value, `get` with
 * it, `get-tree` one per key). Otherwise Consul answered 409 and applied nothing.
 */
export type TxnResult = { ok: true; results: KvEntry[] } | { ok: false; errors: TxnOpError[] };

/** The lock subset of Consul's API. */
export interface ConsulPort {
  /** Creates a session; resolves with its id. */
  sessionCreate(options?: SessionCreateOptions): Promise<string>;
  /** Renews a TTL session; resolves null when Consul answers 404 (the session is gone). */
  sessionRenew(id: string, options?: CallOptions): Promise<SessionEntry | null>;
  /** Destroys a session (idempotent: an unknown id answers true). */
  sessionDestroy(id: string, options?: CallOptions): Promise<boolean>;
  /** Reads a session; null when it does not exist. */
  sessionInfo(id: string, options?: CallOptions): Promise<SessionEntry | null>;
  /** Reads a key, optionally as a blocking query. */
  kvGet(key: string, options?: KvGetOptions): Promise<KvGetResult>;
  /** Writes a key; with acquire/release/cas, resolves with Consul's true/false. */
  kvPut(key: string, value: string | null, options?: KvPutOptions): Promise<boolean>;
  /** Deletes a key (with `cas`, only at that ModifyIndex). */
  kvDelete(key: string, options?: CallOptions & { cas?: number }): Promise<boolean>;
  /**
   * Applies `ops` as one transaction (PUT /v1/txn): all or nothing. Resolves the results, or the
   * failing operations when Consul answered 409 (a failed check, a held lock, lock-delay…); rejects
   * with ConsulHttpError on any other refusal (413 too many operations or too large, 400 bad body)
   * and with InputError when `ops` is empty (the `consul` npm client refuses that).
   */
  txn(ops: readonly TxnOp[], options?: CallOptions): Promise<TxnResult>;
}

/** Milliseconds as a Go duration string Consul accepts: "15s" for whole seconds, else "1500ms". */
export function msToGoDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
