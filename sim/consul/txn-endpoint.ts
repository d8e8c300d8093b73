import type { World } from "../world.js";
import { parseBlockingParams } from "./blocking-queries.js";
import { DecodeError } from "./consul-errors.js";
import type { KvRecord } from "./consul-records.js";
import type { ConsulState } from "./consul-state.js";
import { goQuote } from "./go-duration.js";
import { entryJson, json, text } from "./http-replies.js";
import type { HttpResponse } from "./http-types.js";
import type { ModelEvents } from "./model-events.js";
import { decodeTxnBody, type TxnWireOp } from "./txn-decode.js";
import { applyTxnKvOp, txnWriteVerbs, TxnView } from "./txn-kv-ops.js";

/** TxnMaxReqLen and KVMaxValueSize: both default to raft's suggested 512 KB (agent/config). */
export const txnBodyBytesMax = 524_288;
/** maxTxnOps in Consul 1.8.7 (agent/txn_endpoint.go); later versions allow 128. */
export const txnOpsMax = 64;

/** A failing operation, as Consul writes it in a 409 body. */
export interface TxnErrorJson {
  OpIndex: number;
  What: string;
}

/** A transaction that reached the server: what it asked, and whether Consul applied it. */
export interface TxnOutcome {
  ops: readonly TxnWireOp[];
  /** Applied (at `index`) or refused as a whole (`errors`). */
  applied: boolean;
  /** The Raft index it was applied at; undefined when refused or read-only. */
  index: number | undefined;
  errors: readonly TxnErrorJson[];
}

/** Options of TxnEndpoint. */
export interface TxnEndpointOptions {
  state: ConsulState;
  world: Pick<World, "nowMs">;
  events: Pick<ModelEvents, "lockDelayRefused" | "acquired" | "released">;
  /** Told about every transaction that reached the server after decoding, applied or refused. */
  onTxn?: (outcome: TxnOutcome) => void;
}

/** The read-only answer's extra fields and headers: Txn.Read fills QueryMeta but never blocks (measured: Index 0). */
const readMeta = { Index: 0, LastContact: 0, KnownLeader: true, ConsistencyLevel: "" };
const readHeaders = { "x-consul-knownleader": "true", "x-consul-lastcontact": "0" };

/**
 * PUT /v1/txn for KV operations, as Consul 1.8.7 answers it (agent/txn_endpoint.go,
 * agent/consul/txn_endpoint.go, agent/consul/state/txn.go), measured on the agent:
 * - a body over 512 KB → 413; more than 64 operations → 413; a body Go cannot decode → 400;
 * - checks before Raft (empty key, lock-delay): 409, no index consumed;
 * - a transaction with a write goes through Raft at ONE index (consumed even when an operation then
 *   fails), all or nothing: 409 `{"Results":null,"Errors":[…]}` with every failing operation, or 200
 *   `{"Results":[…],"Errors":null}`; its writes wake blocking queries like any KV write;
 * - a read-only transaction (no write verb, unknown verbs included) is served without Raft and
 *   carries the read's meta (`KnownLeader`, `LastContact`, `Index` 0).
 */
export class TxnEndpoint {
  constructor(private readonly options: TxnEndpointOptions) {}

  handle(query: Record<string, string>, body: string | undefined): HttpResponse {
    const bytes = Buffer.byteLength(body ?? "");
    if (bytes > txnBodyBytesMax) {
      return text(413, `Request body(${bytes} bytes) too large, max size: ${txnBodyBytesMax} bytes. See https://www.consul.io/docs/agent/options.html#txn_max_req_len.`);
    }
    let ops: TxnWireOp[];
    try {
      const decoded = decodeTxnBody(body);
      if (decoded.count > txnOpsMax) return text(413, `Transaction contains too many operations (${decoded.count} > ${txnOpsMax})`);
      ops = decoded.ops;
    } catch (error) {
      if (error instanceof DecodeError) return text(400, `Failed to parse body: ${error.message}`);
      throw error;
    }
    // KVMaxValueSize is checked per value next, but a value over 512 KB always makes the body
    // larger than TxnMaxReqLen with the default settings, so that 413 cannot be reached here.
    return ops.some((op) => txnWriteVerbs.has(op.verb)) ? this.write(ops) : this.read(query, ops);
  }

  /** Txn.Read: the parse of the query (?stale with ?consistent is refused), the pre-checks, TxnRO. */
  private read(query: Record<string, string>, ops: TxnWireOp[]): HttpResponse {
    const params = parseBlockingParams(query);
    if ("status" in params) return params;
    const view = new TxnView(this.options.state, 0);
    const { results, errors } = this.preCheck(ops) ?? this.dispatch(view, ops);
    this.options.onTxn?.({ ops, applied: errors.length === 0, index: undefined, errors });
    if (errors.length > 0) return json(409, { Results: null, Errors: errors, ...readMeta }, readHeaders);
    return json(200, { Results: results, Errors: null, ...readMeta }, readHeaders);
  }

  /** Txn.Apply: pre-checks, then one Raft index; the staged writes reach the state only if every operation succeeded. */
  private write(ops: TxnWireOp[]): HttpResponse {
    const { state } = this.options;
    const refused = this.preCheck(ops);
    if (refused) return this.refuse(ops, refused.errors);
    const idx = state.raft();
    const view = new TxnView(state, idx);
    const { results, errors } = this.dispatch(view, ops);
    if (errors.length > 0) return this.refuse(ops, errors);
    state.applyStagedWrites(view.staged, idx);
    for (const op of ops) {
      if (op.verb === "lock") this.options.events.acquired(op.key, op.session, true);
      if (op.verb === "unlock") this.options.events.released(op.key, op.session, true);
    }
    this.options.onTxn?.({ ops, applied: true, index: idx, errors: [] });
    return json(200, { Results: results, Errors: null });
  }

  private refuse(ops: TxnWireOp[], errors: TxnErrorJson[]): HttpResponse {
    this.options.onTxn?.({ ops, applied: false, index: undefined, errors });
    return json(409, { Results: null, Errors: errors });
  }

  /**
   * kvsPreApply for every operation, before Raft: a key is required (except for delete-tree), and a
   * lock inside the key's lock-delay is refused on the leader's clock. Every failing operation is
   * reported; undefined when none failed.
   */
  private preCheck(ops: TxnWireOp[]): { results: never[]; errors: TxnErrorJson[] } | undefined {
    const { state, world, events } = this.options;
    const errors: TxnErrorJson[] = [];
    ops.forEach((op, i) => {
      if (op.key === "" && op.verb !== "delete-tree") errors.push({ OpIndex: i, What: "Must provide key" });
      else if (op.verb === "lock" && state.inLockDelay(op.key, world.nowMs)) {
        events.lockDelayRefused(op.key, op.session);
        errors.push({ OpIndex: i, What: `failed to lock key ${goQuote(op.key)} due to lock delay` });
      }
    });
    return errors.length > 0 ? { results: [], errors } : undefined;
  }

  /** txnDispatch: every operation in order against the view; results of writes and checks lose their value. */
  private dispatch(view: TxnView, ops: TxnWireOp[]): { results: { KV: Record<string, unknown> }[]; errors: TxnErrorJson[] } {
    const results: { KV: Record<string, unknown> }[] = [];
    const errors: TxnErrorJson[] = [];
    ops.forEach((op, i) => {
      const outcome = applyTxnKvOp(view, op);
      if ("error" in outcome) {
        errors.push({ OpIndex: i, What: outcome.error });
        return;
      }
      const keepValue = op.verb === "get" || op.verb === "get-tree";
      for (const e of outcome.entries) results.push({ KV: entryJson(keepValue ? e : ({ ...e, value: null } satisfies KvRecord)) });
    });
    return { results, errors };
  }
}
