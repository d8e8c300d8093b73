import type { World } from "../world.js";
import { parseBlockingParams, type BlockingQueries, type QueryResult } from "./blocking-queries.js";
import { RpcError } from "./consul-errors.js";
import type { ConsulState } from "./consul-state.js";
import { encodedJson, entryJson, entryListBody, json, readHeaders, text } from "./http-replies.js";
import type { HttpResponse } from "./http-types.js";
import type { Reply } from "./http-router.js";
import type { ModelEvents } from "./model-events.js";
import { encodeQuery, parseUint } from "./query-values.js";
import { stringIndexKey, stringIndexPrefix } from "./radix-watch-index.js";

/** Options of KvEndpoints. */
export interface KvEndpointsOptions {
  state: ConsulState;
  world: Pick<World, "nowMs">;
  queries: Pick<BlockingQueries, "run">;
  events: Pick<ModelEvents, "lockDelayRefused" | "acquired" | "released">;
}

/** A KV read that found nothing: 404 with the read headers, an empty body and no content type (measured on 1.8.7). */
function missing(index: number): HttpResponse {
  return { status: 404, body: "", headers: readHeaders(index) };
}

/** kv_max_value_size: Consul 1.8.7's default largest value, in bytes (512 KiB). */
export const kvMaxValueSizeBytes = 524_288;

/**
 * KVSPut refuses a body longer than kv_max_value_size by its Content-Length, before reading it:
 * 413 and nothing written (measured on 1.8.7 with 524,289 bytes; 524,288 is accepted). The length
 * is in bytes, so a multi-byte character counts for each of its bytes.
 */
function bodyTooLarge(body: string | undefined): HttpResponse | undefined {
  // A UTF-16 unit is at most 3 UTF-8 bytes: most bodies need no count.
  if (body === undefined || body.length * 3 <= kvMaxValueSizeBytes) return undefined;
  const bytes = Buffer.byteLength(body, "utf8");
  if (bytes <= kvMaxValueSizeBytes) return undefined;
  return text(
    413,
    `Request body(${bytes} bytes) too large, max size: ${kvMaxValueSizeBytes} bytes. See https://www.consul.io/docs/agent/options.html#kv_max_value_size.`,
    { connection: "close" },
  );
}

/** A query value that must be a uint64; Go's parse error is a server-side 500 (§4). */
function requireUint(value: string, param: string): number {
  const parsed = parseUint(value);
  if (typeof parsed === "string") throw new RpcError(parsed, { param, value });
  return parsed;
}

/**
 * /v1/kv/<key>: GET (with blocking queries), PUT (plain, `?cas`, `?acquire`, `?release`) and
 * DELETE (plain, `?cas`, `?recurse`), as agent/kvs_endpoint.go answers them (consul-semantics.md
 * §4, §5). Keys arrive decoded.
 */
export class KvEndpoints {
  private readonly options: KvEndpointsOptions;

  constructor(options: KvEndpointsOptions) {
    this.options = options;
  }

  private get state(): ConsulState {
    return this.options.state;
  }

  /** GET: the entry (or every entry under `key` with `?recurse`), blocking when `?index` is given. */
  get(key: string, query: Record<string, string>): Reply {
    const params = parseBlockingParams(query);
    if ("status" in params) return params;
    const recurse = "recurse" in query;
    // KVSGet: only a list (`?recurse`) may name no key (measured: `GET /v1/kv/` → 400).
    if (!recurse && key === "") return text(400, "Missing key name");
    return this.options.queries.run({ ...params, read: () => this.read(key, recurse) });
  }

  /**
   * PUT: at most one of `?cas`, `?acquire`, `?release`; the body is the value. KVSPut's order:
   * missing key, conflicting flags, `flags` and `cas` parsed (500 on a bad number), then the body
   * size against kv_max_value_size (413, nothing written), then the write.
   */
  put(key: string, query: Record<string, string>, body: string | undefined): HttpResponse {
    if (key === "") return text(400, "Missing key name");
    const present = Number("cas" in query) + Number("acquire" in query) + Number("release" in query);
    if (present > 1) return text(400, `Conflicting flags: ${encodeQuery(query)}`);
    const flags = "flags" in query ? requireUint(query.flags!, "flags") : 0;
    const casIndex = "cas" in query ? requireUint(query.cas!, "cas") : undefined;
    const tooLarge = bodyTooLarge(body);
    if (tooLarge) return tooLarge;
    const value = body ? Buffer.from(body).toString("base64") : null;
    if (casIndex !== undefined) return json(200, this.state.cas(key, value, flags, casIndex));
    if ("acquire" in query) return json(200, this.acquire(key, value, flags, query.acquire!));
    if ("release" in query) {
      const ok = this.state.release(key, value, flags, query.release!);
      this.options.events.released(key, query.release!, ok);
      return json(200, ok);
    }
    return json(200, this.state.set(key, value, flags));
  }

  /**
   * DELETE: `?recurse` takes the whole prefix (even ""), `?cas` only the expected version; the two
   * together are refused (KVSDelete's conflictingFlags, measured: 400 `Conflicting flags:
   * cas=5&recurse=`), and so is a missing key name without `?recurse`.
   */
  delete(key: string, query: Record<string, string>): HttpResponse {
    if ("recurse" in query && "cas" in query) return text(400, `Conflicting flags: ${encodeQuery(query)}`);
    if ("recurse" in query) return json(200, this.state.deleteTree(key));
    if (key === "") return text(400, "Missing key name");
    if ("cas" in query) return json(200, this.state.deleteCas(key, requireUint(query.cas!, "cas")));
    return json(200, this.state.delete(key));
  }

  /**
   * `?acquire=<session>`. kvsPreApply checks lock-delay on the leader before Raft, before the
   * session is even looked up (§3), so a refused acquire consumes no index. No acquire can
   * therefore land inside a lock-delay: the model-invariant holds by construction.
   */
  private acquire(key: string, value: string | null, flags: number, sessionId: string): boolean {
    if (this.state.inLockDelay(key, this.options.world.nowMs)) {
      this.options.events.lockDelayRefused(key, sessionId);
      return false;
    }
    const ok = this.state.acquire(key, value, flags, sessionId);
    this.options.events.acquired(key, sessionId, ok);
    return ok;
  }

  /**
   * Runs the read once: the answer, the index it carries and its watch channel. A key's lookup
   * watches the node of the kvs index where it stopped (its leaf when present); a list watches the
   * node its prefix leads to (radix-watch-index.ts).
   */
  private read(key: string, recurse: boolean): QueryResult {
    if (recurse) {
      const watch = [this.state.kvWatch.seekPrefixWatch(stringIndexPrefix(key))];
      const { entries, index } = this.state.list(key);
      if (entries.length === 0) return { index, response: missing(index), watch };
      return { index, response: json(200, entries.map(entryJson), readHeaders(index)), watch };
    }
    const watch = [this.state.kvWatch.getWatch(stringIndexKey(key))];
    const entry = this.state.kv.get(key);
    if (!entry) {
      const index = this.state.missingKeyIndex();
      return { index, response: missing(index), watch };
    }
    // A single-key GET carries that key's ModifyIndex, not the table index (§4).
    return { index: entry.modifyIndex, response: encodedJson(200, entryListBody(entry), readHeaders(entry.modifyIndex)), watch };
  }
}
