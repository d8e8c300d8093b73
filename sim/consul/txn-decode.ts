import { DecodeError } from "./consul-errors.js";

/**
 * Decoding of a PUT /v1/txn body as Consul 1.8.7's agent does it (agent/txn_endpoint.go,
 * decodeBody into api.TxnOps): Go's encoding/json with unknown fields refused, field names matched
 * case-insensitively, `Value` base64 (StdEncoding) or null. Every error becomes Consul's 400
 * `Failed to parse body: <Go's text>`; the texts below were measured on the agent.
 */

/** One KV operation as the model applies it; `value` stays base64 as the state stores it. */
export interface TxnWireOp {
  verb: string;
  key: string;
  value: string | null;
  flags: number;
  /** `Index`: the ModifyIndex of cas, check-index and delete-cas. */
  index: number;
  session: string;
}

/** A decoded body: the KV operations, and how many operations the body held (empty ones count). */
export interface DecodedTxn {
  ops: TxnWireOp[];
  /** len(api.TxnOps): what the 64-operation limit counts, `{}` and `{"KV":null}` included. */
  count: number;
}

const uint64Max = 2 ** 64;

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (v === null) return "null";
  if (typeof v === "object") return "object";
  return typeof v === "boolean" ? "bool" : typeof v;
}

/** Go's error for a body JSON.parse refused: "EOF" when empty, "unexpected EOF" when cut short. */
function syntaxError(body: string): string {
  const s = body.trim();
  if (s === "") return "EOF";
  try {
    JSON.parse(s);
  } catch (error) {
    if (error instanceof SyntaxError && /end of (JSON )?input|Unterminated/i.test(error.message)) return "unexpected EOF";
  }
  const bad = /[^\s[\]{}:,"0-9a-z.+-]/i.exec(s)?.[0] ?? s[0]!;
  return `invalid character '${bad}' looking for beginning of value`;
}

/** The entry of `raw` whose name matches `name` case-insensitively (Go's rule), exact match first. */
function fieldName(raw: Record<string, unknown>, name: string): string | undefined {
  if (name in raw) return name;
  return Object.keys(raw).find((k) => k.toLowerCase() === name.toLowerCase());
}

const kvFields = { Verb: "string", Key: "string", Value: "[]uint8", Flags: "uint64", Index: "uint64", Session: "string", Namespace: "string" } as const;
type KvField = keyof typeof kvFields;

function fieldError(value: unknown, field: KvField): DecodeError {
  const kind = jsonKind(value);
  // Go names a number that does not fit an unsigned integer by its text.
  const what = kind === "number" && kvFields[field] === "uint64" ? `number ${String(value)}` : kind;
  return new DecodeError(`json: cannot unmarshal ${what} into Go struct field KVTxnOp.KV.${field} of type ${kvFields[field]}`, { field });
}

function readField(raw: Record<string, unknown>, field: KvField): unknown {
  const name = fieldName(raw, field);
  const value = name === undefined ? undefined : raw[name];
  if (value === undefined || value === null) return undefined;
  const type = kvFields[field];
  if (type === "string" && typeof value !== "string") throw fieldError(value, field);
  if (type === "uint64" && !(typeof value === "number" && Number.isInteger(value) && value >= 0 && value < uint64Max)) throw fieldError(value, field);
  if (type === "[]uint8" && typeof value !== "string") throw fieldError(value, field);
  return value;
}

/** Decodes a base64 Value as base64.StdEncoding does; the model keeps it as canonical base64. */
function decodeValue(value: string): string {
  const bad = /[^A-Za-z0-9+/=]/.exec(value);
  const padding = value.indexOf("=");
  const badAt = bad ? bad.index : value.length % 4 !== 0 ? value.length - (value.length % 4) : padding >= 0 && /[^=]/.test(value.slice(padding)) ? padding : -1;
  if (badAt >= 0) throw new DecodeError(`illegal base64 data at input byte ${badAt}`, { value });
  return Buffer.from(value, "base64").toString("base64");
}

function decodeKvOp(raw: unknown): TxnWireOp | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new DecodeError(`json: cannot unmarshal ${jsonKind(raw)} into Go struct field TxnOp.KV of type api.KVTxnOp`, {});
  }
  const kv = raw as Record<string, unknown>;
  for (const k of Object.keys(kv)) {
    if (!Object.keys(kvFields).some((f) => f.toLowerCase() === k.toLowerCase())) throw new DecodeError(`json: unknown field ${JSON.stringify(k)}`, { field: k });
  }
  const value = readField(kv, "Value") as string | undefined;
  return {
    verb: (readField(kv, "Verb") as string | undefined) ?? "",
    key: (readField(kv, "Key") as string | undefined) ?? "",
    value: value === undefined ? null : decodeValue(value),
    flags: (readField(kv, "Flags") as number | undefined) ?? 0,
    index: (readField(kv, "Index") as number | undefined) ?? 0,
    session: (readField(kv, "Session") as string | undefined) ?? "",
  };
}

/**
 * Decodes the body into KV operations. Operations of the other kinds (Node, Service, Check) are
 * not modelled: the model refuses them with a 400 that says so, rather than answering wrongly.
 */
export function decodeTxnBody(body: string | undefined): DecodedTxn {
  let raw: unknown;
  try {
    raw = JSON.parse(body ?? "");
  } catch {
    throw new DecodeError(syntaxError(body ?? ""), { body });
  }
  if (raw === null) return { ops: [], count: 0 };
  if (!Array.isArray(raw)) throw new DecodeError(`json: cannot unmarshal ${jsonKind(raw)} into Go value of type api.TxnOps`, {});
  const ops: TxnWireOp[] = [];
  for (const item of raw as unknown[]) {
    if (item === null) continue;
    if (typeof item !== "object" || Array.isArray(item)) throw new DecodeError(`json: cannot unmarshal ${jsonKind(item)} into Go value of type api.TxnOp`, {});
    const op = item as Record<string, unknown>;
    for (const k of Object.keys(op)) {
      const known = ["KV", "Node", "Service", "Check"].find((f) => f.toLowerCase() === k.toLowerCase());
      if (!known) throw new DecodeError(`json: unknown field ${JSON.stringify(k)}`, { field: k });
      if (known !== "KV" && op[k] !== null) throw new DecodeError(`locksim models only KV operations, found ${known}`, { field: k });
    }
    const kvName = fieldName(op, "KV");
    const kv = decodeKvOp(kvName === undefined ? undefined : op[kvName]);
    if (kv) ops.push(kv);
  }
  return { ops, count: raw.length };
}
