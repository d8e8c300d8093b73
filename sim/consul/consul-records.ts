/**
 * The records of the model's state (sessions, KV entries, check states) and the constants and id
 * validation they follow: the shapes of agent/structs (structs.Session, structs.DirEntry), as
 * consul-semantics.md §0–§1 describes them.
 */

/** A stored session, in Consul's terms. LockDelay is kept in nanoseconds as Consul stores it. */
export interface SessionRecord {
  id: string;
  name: string;
  node: string;
  /** The deprecated `Checks` list (null when empty); the session depends on these checks too. */
  checks: string[] | null;
  nodeChecks: string[] | null;
  serviceChecks: { ID: string; Namespace: string }[] | null;
  lockDelayNs: number;
  behavior: "release" | "delete";
  /** Stored verbatim ("10000ms" stays "10000ms"). */
  ttl: string;
  /** The parsed TTL; 0 means no timer. */
  ttlMs: number;
  createIndex: number;
  modifyIndex: number;
}

/** A stored KV entry. `value` is base64 (as on the wire) or null. `session` is "" when unlocked. */
export interface KvRecord {
  key: string;
  value: string | null;
  flags: number;
  lockIndex: number;
  session: string;
  createIndex: number;
  modifyIndex: number;
}

/** Consul's MaxLockDelay: a longer LockDelay is accepted and stored, but applied as 60s. */
export const maxLockDelayMs = 60_000;

/** The model's node name, as `consul agent -dev` would report its own. */
export const modelNodeName = "locksim-model";

/** Check health states that matter to sessions: critical invalidates, warning does not. */
export type CheckStatus = "passing" | "warning" | "critical";

/** Validates a session id as go-memdb's UUID index does (consul-semantics.md §1, §10). */
const wellFormedUuid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function uuidLookupError(id: string): string | undefined {
  if (wellFormedUuid.test(id)) return undefined;
  if (id.length !== 36) return "failed session lookup: index error: UUID must be 36 characters";
  const hyphens = id.split("-").length - 1;
  if (hyphens > 4) return `failed session lookup: index error: UUID should have maximum of 4 "-"; got ${hyphens}`;
  const hex = id.replaceAll("-", "");
  if (hex.length % 2 !== 0) return "failed session lookup: index error: Input (without hyphens) must be even length";
  const badChar = /[^0-9a-fA-F]/.exec(hex);
  if (badChar) {
    const code = badChar[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
    return `failed session lookup: index error: Invalid UUID: encoding/hex: invalid byte: U+${code} '${badChar[0]}'`;
  }
  return undefined;
}
