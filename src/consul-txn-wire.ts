import { entryFromJson } from "./consul-wire.js";
import { InputError } from "./errors.js";
import type { TxnOp, TxnResult } from "./ports/consul-port.js";

/**
 * Conversions between /v1/txn's JSON and the ConsulPort's typed transaction, shared by the real and
 * the simulated adapters so that both send the same body and read Consul's answer the same way.
 * Values are base64 on the wire only (agent/txn_endpoint.go decodes `Value` with base64.StdEncoding).
 */

/** One operation as /v1/txn takes it (api.TxnOp with its KV member). */
export interface TxnOpJson {
  KV: { Verb: string; Key: string; Value?: string | null; Flags?: number; Index?: number; Session?: string };
}

type EntryJson = Parameters<typeof entryFromJson>[0];

/** The ops as Consul's JSON. Throws InputError for an empty list (the `consul` npm client refuses one). */
export function txnOpsToJson(ops: readonly TxnOp[]): TxnOpJson[] {
  if (ops.length === 0) throw new InputError("txn: expected at least one operation, found none (the consul npm client refuses an empty transaction)", { field: "ops" });
  return ops.map((op) => {
    const kv: TxnOpJson["KV"] = { Verb: op.verb, Key: op.key };
    if ("value" in op) kv.Value = op.value === null ? null : Buffer.from(op.value).toString("base64");
    if ("flags" in op && op.flags !== undefined) kv.Flags = op.flags;
    if ("index" in op) kv.Index = op.index;
    if ("session" in op) kv.Session = op.session;
    return { KV: kv };
  });
}

/**
 * Reads Consul's answer to PUT /v1/txn: 200 gives the results (values decoded), 409 the failing
 * operations (`{"Results":null,"Errors":[{"OpIndex":i,"What":"…"}]}`). Any other status is not a
 * transaction outcome: undefined, and the caller rejects with Consul's status and body.
 */
export function txnResultFromJson(status: number, body: unknown): TxnResult | undefined {
  const reply = (body ?? {}) as { Results?: { KV?: EntryJson }[] | null; Errors?: { OpIndex: number; What: string }[] | null };
  if (status === 200) return { ok: true, results: (reply.Results ?? []).flatMap((r) => (r.KV ? [entryFromJson(r.KV, true)] : [])) };
  if (status === 409) return { ok: false, errors: (reply.Errors ?? []).map((e) => ({ opIndex: e.OpIndex, what: e.What })) };
  return undefined;
}
