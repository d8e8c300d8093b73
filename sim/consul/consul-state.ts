/**
 * The in-memory state of Consul's sessions and KV store: the FSM half of the model. It has no
 * clock: every method that depends on time takes `nowMs` from the caller (the world). Its rules
 * follow consul-semantics.md §3–§4 and §7, which follow agent/consul/state/kvs.go and session.go.
 */

import { RpcError } from "./consul-errors.js";

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

/** Every check a session depends on: Checks, NodeChecks and ServiceChecks (structs.Session.CheckIDs). */
function checkIds(s: Pick<SessionRecord, "checks" | "nodeChecks" | "serviceChecks">): string[] {
  return [...(s.checks ?? []), ...(s.nodeChecks ?? []), ...(s.serviceChecks ?? []).map((c) => c.ID)];
}

/** What the state tells its owner so that blocking queries and timers follow changes. */
export interface StateListener {
  keyChanged(key: string): void;
  sessionRemoved(id: string): void;
}

/**
 * Sessions, KV entries, Raft and table indexes, lock-delays and check states. Methods that go
 * through Raft in real Consul call `raft()`, which consumes one index even when the operation
 * answers false or fails in the FSM (consul-semantics.md §0).
 */
export class ConsulState {
  /** The last Raft index used. A fresh agent has already written some entries; clients compare indexes only by order. */
  raftIndex = 12;
  kvsIndex = 0;
  tombstoneIndex = 0;
  sessionsIndex = 0;
  readonly sessions = new Map<string, SessionRecord>();
  readonly kv = new Map<string, KvRecord>();
  /** Key → virtual ms until which `acquire` is refused (before Raft). */
  readonly lockDelays = new Map<string, number>();
  readonly checks = new Map<string, CheckStatus>([["serfHealth", "passing"]]);

  constructor(private readonly listener: StateListener) {}

  /** Consumes and returns the next Raft index. */
  raft(): number {
    return ++this.raftIndex;
  }

  // ---- sessions ----------------------------------------------------------------------------

  /**
   * The session `id` names. go-memdb's UUID index decodes the hex, so the case of an id does not
   * matter (measured on 1.8.7: info, renew, destroy and acquire with an upper-case id find the
   * session). Sessions are stored under their id as created (lower-case).
   */
  findSession(id: string): SessionRecord | undefined {
    return this.sessions.get(id.toLowerCase());
  }

  /** Inserts a validated session at a fresh index. */
  insertSession(session: Omit<SessionRecord, "createIndex" | "modifyIndex">): SessionRecord {
    // The node and check validation happens in the FSM, after Raft: a refused create still
    // consumes an index.
    const idx = this.raft();
    if (session.node !== modelNodeName) throw new RpcError("Missing node registration", { node: session.node });
    for (const check of checkIds(session)) {
      const status = this.checks.get(check);
      if (status === undefined) throw new RpcError(`Missing check '${check}' registration`, { check });
      if (status === "critical") throw new RpcError(`Check '${check}' is in critical state`, { check, status });
    }
    const record: SessionRecord = { ...session, createIndex: idx, modifyIndex: idx };
    this.sessions.set(record.id, record);
    this.sessionsIndex = idx;
    return record;
  }

  /**
   * Destroys a session as `deleteSessionTxn` does: its keys are released or deleted per behavior
   * and each gets a lock-delay of min(LockDelay, 60s) if that is positive. Keys it had already
   * released get none. Consumes one index (explicit destroy and TTL expiry alike).
   */
  destroySession(id: string, nowMs: number): void {
    const idx = this.raft();
    const lookupError = uuidLookupError(id);
    if (lookupError) throw new RpcError(lookupError, { sessionId: id });
    const session = this.findSession(id);
    if (!session) return;
    this.sessions.delete(session.id);
    this.sessionsIndex = idx;
    const delayMs = Math.min(session.lockDelayNs / 1e6, maxLockDelayMs);
    for (const entry of [...this.kv.values()]) {
      // The kvs "session" index is a UUID index too: a key acquired with the id in upper case is
      // released with the session (measured).
      if (entry.session.toLowerCase() !== session.id) continue;
      if (session.behavior === "release") {
        this.writeEntry({ ...entry, session: "" }, idx);
      } else {
        this.deleteEntry(entry.key, idx);
      }
      if (delayMs > 0) this.lockDelays.set(entry.key, nowMs + delayMs);
    }
    this.listener.sessionRemoved(session.id);
  }

  /** Sessions that name `checkId` among their checks. */
  sessionsUsingCheck(checkId: string): SessionRecord[] {
    return [...this.sessions.values()].filter((s) => checkIds(s).includes(checkId));
  }

  // ---- kv ----------------------------------------------------------------------------------

  /** kvsSetTxn: an identical entry is a no-op (no ModifyIndex change, nobody woken). */
  private writeEntry(entry: KvRecord, idx: number): void {
    const existing = this.kv.get(entry.key);
    if (
      existing &&
      existing.value === entry.value &&
      existing.flags === entry.flags &&
      existing.lockIndex === entry.lockIndex &&
      existing.session === entry.session
    ) {
      return;
    }
    this.kv.set(entry.key, { ...entry, createIndex: existing ? existing.createIndex : idx, modifyIndex: idx });
    this.kvsIndex = idx;
    this.listener.keyChanged(entry.key);
  }

  private deleteEntry(key: string, idx: number): void {
    if (!this.kv.has(key)) return;
    this.kv.delete(key);
    this.kvsIndex = idx;
    this.tombstoneIndex = idx;
    this.listener.keyChanged(key);
  }

  /** Plain PUT: always true. Keeps Session, resets LockIndex to 0 (kvsSetTxn, §4). */
  set(key: string, value: string | null, flags: number): boolean {
    const idx = this.raft();
    const existing = this.kv.get(key);
    this.writeEntry(
      { key, value, flags, lockIndex: 0, session: existing?.session ?? "", createIndex: idx, modifyIndex: idx },
      idx,
    );
    return true;
  }

  /** PUT ?cas=N: 0 means "only if absent"; otherwise ModifyIndex must equal N. */
  cas(key: string, value: string | null, flags: number, casIndex: number): boolean {
    const idx = this.raft();
    const existing = this.kv.get(key);
    if (casIndex === 0 && existing) return false;
    if (casIndex !== 0 && (!existing || existing.modifyIndex !== casIndex)) return false;
    this.writeEntry(
      { key, value, flags, lockIndex: 0, session: existing?.session ?? "", createIndex: idx, modifyIndex: idx },
      idx,
    );
    return true;
  }

  /** Whether `acquire` on `key` is refused by lock-delay at `nowMs` (checked before Raft). */
  inLockDelay(key: string, nowMs: number): boolean {
    const until = this.lockDelays.get(key);
    if (until === undefined) return false;
    if (until > nowMs) return true;
    this.lockDelays.delete(key);
    return false;
  }

  /** PUT ?acquire=sid, after the lock-delay check: kvsLockTxn. */
  acquire(key: string, value: string | null, flags: number, sessionId: string): boolean {
    const idx = this.raft();
    if (sessionId === "") throw new RpcError("missing session", { key });
    const lookupError = uuidLookupError(sessionId);
    if (lookupError) throw new RpcError(lookupError, { key, sessionId });
    if (!this.findSession(sessionId)) throw new RpcError(`invalid session ${JSON.stringify(sessionId)}`, { key, sessionId });
    const existing = this.kv.get(key);
    let lockIndex = 1;
    // The holder is compared as a string (kvsLockTxn): the same session named in another case is
    // "someone else" (measured: acquire with the lower-case id of an upper-case holder → false).
    if (existing) {
      if (existing.session === sessionId) lockIndex = existing.lockIndex;
      else if (existing.session !== "") return false;
      else lockIndex = existing.lockIndex + 1;
    }
    this.writeEntry({ key, value, flags, lockIndex, session: sessionId, createIndex: idx, modifyIndex: idx }, idx);
    return true;
  }

  /** PUT ?release=sid: kvsUnlockTxn. Overwrites value and flags; keeps LockIndex. */
  release(key: string, value: string | null, flags: number, sessionId: string): boolean {
    const idx = this.raft();
    if (sessionId === "") throw new RpcError("missing session", { key });
    const existing = this.kv.get(key);
    if (!existing || existing.session !== sessionId) return false;
    this.writeEntry({ ...existing, value, flags, session: "" }, idx);
    return true;
  }

  /** DELETE: always true, locked or missing. */
  delete(key: string): boolean {
    const idx = this.raft();
    this.deleteEntry(key, idx);
    return true;
  }

  /** DELETE ?recurse: every key under `prefix`. */
  deleteTree(prefix: string): boolean {
    const idx = this.raft();
    for (const key of [...this.kv.keys()]) if (key.startsWith(prefix)) this.deleteEntry(key, idx);
    return true;
  }

  /** DELETE ?cas=N: true for a missing key whatever N (kvsDeleteCASTxn returns entry == nil). */
  deleteCas(key: string, casIndex: number): boolean {
    const idx = this.raft();
    const existing = this.kv.get(key);
    if (!existing) return true;
    if (existing.modifyIndex !== casIndex) return false;
    this.deleteEntry(key, idx);
    return true;
  }

  /** X-Consul-Index of a GET on a missing key: max(kvs, tombstones), at least 1. */
  missingKeyIndex(): number {
    return Math.max(this.kvsIndex, this.tombstoneIndex, 1);
  }
}
