/**
 * The in-memory state of Consul's sessions and KV store: the FSM half of the model. It has no
 * clock: every method that depends on time takes `nowMs` from the caller (the world). Its rules
 * follow consul-semantics.md §3–§4 and §7, which follow agent/consul/state/kvs.go and session.go.
 */

import { RpcError } from "./consul-errors.js";
import { RadixWatchIndex, stringIndexKey, stringIndexPrefix, uuidIndexKey } from "./radix-watch-index.js";
import { maxLockDelayMs, modelNodeName, uuidLookupError, type CheckStatus, type KvRecord, type SessionRecord } from "./consul-records.js";

/** Every check a session depends on: Checks, NodeChecks and ServiceChecks (structs.Session.CheckIDs). */
function checkIds(s: Pick<SessionRecord, "checks" | "nodeChecks" | "serviceChecks">): string[] {
  const ids: string[] = [];
  if (s.checks) for (const c of s.checks) ids.push(c);
  if (s.nodeChecks) for (const c of s.nodeChecks) ids.push(c);
  if (s.serviceChecks) for (const c of s.serviceChecks) ids.push(c.ID);
  return ids;
}

/** What the state tells its owner so that blocking queries and timers follow changes. */
export interface StateListener {
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
  /** The graveyard: deleted key (or tree-deleted prefix) → the index of its delete (state/graveyard.go). */
  readonly tombstones = new Map<string, number>();
  /** The kvs "id" index's tree, for the watch channels of KV reads. */
  readonly kvWatch = new RadixWatchIndex();
  /** The sessions "id" index's tree, for the watch channels of session reads. */
  readonly sessionWatch = new RadixWatchIndex();

  constructor(private readonly listener: StateListener) {}

  /**
   * Ends a Raft entry: the watch channels its writes closed are closed now, so that the blocking
   * reads they wake re-run on the whole entry's result (memdb Txn.Commit). The model calls it after
   * every request and timer that may have written.
   */
  commit(): void {
    this.kvWatch.commit();
    this.sessionWatch.commit();
  }

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

  /**
   * The session a named id finds, after the UUID index's check of the id (500 with go-memdb's
   * text when it is malformed, consul-semantics.md §1).
   */
  findWellFormed(id: string): SessionRecord | undefined {
    const lookupError = uuidLookupError(id);
    if (lookupError) throw new RpcError(lookupError, { sessionId: id });
    return this.findSession(id);
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
    // Field by field rather than a spread: one of these per session create, on the hot path.
    const record: SessionRecord = {
      id: session.id,
      name: session.name,
      node: session.node,
      checks: session.checks,
      nodeChecks: session.nodeChecks,
      serviceChecks: session.serviceChecks,
      lockDelayNs: session.lockDelayNs,
      behavior: session.behavior,
      ttl: session.ttl,
      ttlMs: session.ttlMs,
      createIndex: idx,
      modifyIndex: idx,
    };
    this.sessions.set(record.id, record);
    this.sessionWatch.insert(uuidIndexKey(record.id));
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
    // A stored id, named as stored, is well-formed: only other ids need the UUID index's check.
    const session = this.sessions.get(id) ?? this.findWellFormed(id);
    if (!session) return;
    this.sessions.delete(session.id);
    this.sessionWatch.delete(uuidIndexKey(session.id));
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
    this.kvWatch.insert(stringIndexKey(entry.key));
    this.kvsIndex = idx;
  }

  /** kvsDeleteTxn: a missing key is left alone (no tombstone); a present one leaves a tombstone. */
  private deleteEntry(key: string, idx: number): void {
    if (!this.kv.has(key)) return;
    this.kv.delete(key);
    this.kvWatch.delete(stringIndexKey(key));
    this.tombstones.set(key, idx);
    this.kvsIndex = idx;
    this.tombstoneIndex = idx;
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
    // An id stored as it is named is well-formed (the model made it): only other ids need the
    // UUID index's check, which comes before the lookup (§4's error order).
    if (!this.sessions.has(sessionId)) {
      const lookupError = uuidLookupError(sessionId);
      if (lookupError) throw new RpcError(lookupError, { key, sessionId });
      if (!this.findSession(sessionId)) throw new RpcError(`invalid session ${JSON.stringify(sessionId)}`, { key, sessionId });
    }
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

  /**
   * DELETE ?recurse (kvsDeleteTreeTxn): every key under `prefix` goes, with one tombstone for the
   * prefix itself (none for the empty prefix); nothing deleted, no index moves.
   */
  deleteTree(prefix: string): boolean {
    const idx = this.raft();
    const doomed = [...this.kv.keys()].filter((key) => key.startsWith(prefix));
    if (doomed.length === 0) return true;
    for (const key of doomed) this.kv.delete(key);
    this.kvWatch.deletePrefix(stringIndexPrefix(prefix));
    if (prefix !== "") {
      this.tombstones.set(prefix, idx);
      this.tombstoneIndex = idx;
    }
    this.kvsIndex = idx;
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

  /**
   * Stores the KV writes a transaction staged, at its one Raft index (sim/consul/txn-endpoint.ts):
   * each entry as staged (its indexes already set), null deleting the key. Watchers wake as for
   * any write.
   */
  applyStagedWrites(writes: ReadonlyMap<string, KvRecord | null>, idx: number): void {
    for (const [key, entry] of writes) {
      if (entry === null && !this.kv.has(key)) {
        // Set and then deleted by this same transaction: Consul's FSM ran both ops in one memdb
        // transaction (state/txn.go), so the key leaves a tombstone, the index moves and the watch
        // channels on its path close, although the key was never visible.
        this.kvWatch.insert(stringIndexKey(key));
        this.kvWatch.delete(stringIndexKey(key));
        this.tombstones.set(key, idx);
        this.kvsIndex = idx;
        this.tombstoneIndex = idx;
        continue;
      }
      if (entry === null) {
        this.deleteEntry(key, idx);
        continue;
      }
      this.kv.set(key, entry);
      this.kvsIndex = idx;
      this.kvWatch.insert(stringIndexKey(key));
    }
  }

  /** X-Consul-Index of a GET on a missing key: max(kvs, tombstones), at least 1. */
  missingKeyIndex(): number {
    return Math.max(this.kvsIndex, this.tombstoneIndex, 1);
  }

  /**
   * The entries under `prefix`, in the index's byte order, and the index of a recursive read
   * (kvsListTxn): the largest ModifyIndex among them and among the tombstones under the prefix;
   * the tables' index when that is 0 or the prefix is empty; at least 1. Measured on 1.8.7: after
   * `r/b` (104) was deleted, `r/?recurse` answered 104 while `q/?recurse` answered the table's 105.
   */
  list(prefix: string): { entries: KvRecord[]; index: number } {
    const entries = [...this.kv.values()].filter((e) => e.key.startsWith(prefix));
    entries.sort((a, b) => (stringIndexKey(a.key) < stringIndexKey(b.key) ? -1 : 1));
    const tableIndex = Math.max(this.kvsIndex, this.tombstoneIndex);
    let index = Math.max(0, ...entries.map((e) => e.modifyIndex));
    if (prefix === "") index = tableIndex;
    else for (const [key, i] of this.tombstones) if (key.startsWith(prefix)) index = Math.max(index, i);
    return { entries, index: Math.max(index === 0 ? tableIndex : index, 1) };
  }
}
