import { stringIndexKey } from "./radix-watch-index.js";
import { uuidLookupError, type KvRecord } from "./consul-records.js";
import type { ConsulState } from "./consul-state.js";
import { goQuote } from "./go-duration.js";
import type { TxnWireOp } from "./txn-decode.js";

/**
 * The KV verbs of a transaction, applied to a staged view of the store so that a failed
 * transaction leaves nothing behind (agent/consul/state/txn.go, txnKVS; kvs.go). Each operation
 * sees the writes of the operations before it, as inside Consul's memdb write transaction; every
 * failing operation is reported (txnDispatch does not stop at the first), and the staged writes
 * reach the state only when none failed.
 */

/** What one operation gives: entries for the results, or Consul's error text. */
export type TxnOpOutcome = { entries: KvRecord[] } | { error: string };

/** The verbs that write (agent/txn_endpoint.go, isWrite): a transaction with none is read-only. */
export const txnWriteVerbs: ReadonlySet<string> = new Set(["set", "delete", "delete-cas", "delete-tree", "cas", "lock", "unlock"]);

/** A write as a transaction stages it: the entry to store, or null to delete the key. */
export type StagedWrite = KvRecord | null;

/** The store as one transaction sees it: the state, under the writes staged so far. */
export class TxnView {
  /** Writes in the order they were staged, last write per key winning. */
  readonly staged = new Map<string, StagedWrite>();

  constructor(
    private readonly state: ConsulState,
    /** The Raft index of this transaction (0 for a read-only one). */
    private readonly idx: number,
  ) {}

  get(key: string): KvRecord | undefined {
    if (this.staged.has(key)) return this.staged.get(key) ?? undefined;
    return this.state.kv.get(key);
  }

  /** Every present key under `prefix`, sorted as memdb iterates them. */
  keysUnder(prefix: string): string[] {
    const keys = new Set([...this.state.kv.keys(), ...this.staged.keys()]);
    // memdb iterates keys in byte order, as the state's recursive list sorts them.
    return [...keys].filter((k) => k.startsWith(prefix) && this.get(k) !== undefined).sort((a, b) => (stringIndexKey(a) < stringIndexKey(b) ? -1 : 1));
  }

  /**
   * kvsSetTxn: an entry equal to the stored one is a no-op that keeps its indexes (measured: a
   * repeated set answers the old ModifyIndex); otherwise it keeps CreateIndex and takes this index.
   */
  write(entry: Omit<KvRecord, "createIndex" | "modifyIndex">): KvRecord {
    const existing = this.get(entry.key);
    if (existing && existing.value === entry.value && existing.flags === entry.flags && existing.lockIndex === entry.lockIndex && existing.session === entry.session) {
      return existing;
    }
    const record: KvRecord = { ...entry, createIndex: existing ? existing.createIndex : this.idx, modifyIndex: this.idx };
    this.staged.set(entry.key, record);
    return record;
  }

  delete(key: string): void {
    if (this.get(key) !== undefined) this.staged.set(key, null);
  }

  hasSession(id: string): boolean {
    return this.state.findSession(id) !== undefined;
  }
}

const q = goQuote;
const fail = (error: string): TxnOpOutcome => ({ error });
const one = (entry: KvRecord): TxnOpOutcome => ({ entries: [entry] });
const none: TxnOpOutcome = { entries: [] };

/** A plain set keeps the key's session and resets LockIndex to 0, as a PUT does (kvsSetTxn, updateSession=false). */
function set(view: TxnView, op: TxnWireOp): KvRecord {
  return view.write({ key: op.key, value: op.value, flags: op.flags, lockIndex: 0, session: view.get(op.key)?.session ?? "" });
}

/** kvsLockTxn: the session must exist; the holder may re-lock (LockIndex kept), another session may not. */
function lock(view: TxnView, op: TxnWireOp): TxnOpOutcome {
  if (op.session === "") return fail("missing session");
  const lookupError = uuidLookupError(op.session);
  if (lookupError) return fail(lookupError);
  if (!view.hasSession(op.session)) return fail(`invalid session ${q(op.session)}`);
  const existing = view.get(op.key);
  let lockIndex = 1;
  if (existing) {
    if (existing.session === op.session) lockIndex = existing.lockIndex;
    else if (existing.session !== "") return fail(`failed to lock key ${q(op.key)}, lock is already held`);
    else lockIndex = existing.lockIndex + 1;
  }
  return one(view.write({ key: op.key, value: op.value, flags: op.flags, lockIndex, session: op.session }));
}

/** kvsUnlockTxn: only the holding session unlocks; LockIndex is kept, value and flags replaced. */
function unlock(view: TxnView, op: TxnWireOp): TxnOpOutcome {
  if (op.session === "") return fail("missing session");
  const existing = view.get(op.key);
  if (!existing || existing.session !== op.session) return fail(`failed to unlock key ${q(op.key)}, lock isn't held, or is held by another session`);
  return one(view.write({ key: op.key, value: op.value, flags: op.flags, lockIndex: existing.lockIndex, session: "" }));
}

/** Index 0 means "only if absent"; otherwise the ModifyIndex must match (kvsSetCASTxn). */
function cas(view: TxnView, op: TxnWireOp): TxnOpOutcome {
  const existing = view.get(op.key);
  const ok = op.index === 0 ? !existing : existing?.modifyIndex === op.index;
  return ok ? one(set(view, op)) : fail(`failed to set key ${q(op.key)}, index is stale`);
}

function deleteCas(view: TxnView, op: TxnWireOp): TxnOpOutcome {
  const existing = view.get(op.key);
  // kvsDeleteCASTxn: a missing key is a success whatever the index (measured: 200).
  if (!existing) return none;
  if (existing.modifyIndex !== op.index) return fail(`failed to delete key ${q(op.key)}, index is stale`);
  view.delete(op.key);
  return none;
}

function checks(view: TxnView, op: TxnWireOp): TxnOpOutcome {
  const existing = view.get(op.key);
  switch (op.verb) {
    case "check-index":
      if (!existing) return fail(`failed to check index, key ${q(op.key)} doesn't exist`);
      return existing.modifyIndex === op.index ? one(existing) : fail(`failed index check for key ${q(op.key)}, current modify index ${existing.modifyIndex} != ${op.index}`);
    case "check-session":
      if (!existing) return fail(`failed to check session, key ${q(op.key)} doesn't exist`);
      return existing.session === op.session ? one(existing) : fail(`failed session check for key ${q(op.key)}, current session ${q(existing.session)} != ${q(op.session)}`);
    default:
      return existing ? fail(`key ${q(op.key)} exists`) : none;
  }
}

/** Applies one KV operation to the view: txnKVS. Write results are returned without their value by the caller. */
export function applyTxnKvOp(view: TxnView, op: TxnWireOp): TxnOpOutcome {
  switch (op.verb) {
    case "set":
      return one(set(view, op));
    case "cas":
      return cas(view, op);
    case "lock":
      return lock(view, op);
    case "unlock":
      return unlock(view, op);
    case "delete":
      view.delete(op.key);
      return none;
    case "delete-cas":
      return deleteCas(view, op);
    case "delete-tree":
      for (const key of view.keysUnder(op.key)) view.delete(key);
      return none;
    case "get": {
      const existing = view.get(op.key);
      return existing ? one(existing) : fail(`key ${q(op.key)} doesn't exist`);
    }
    case "get-tree":
      return { entries: view.keysUnder(op.key).map((k) => view.get(k)!) };
    case "check-index":
    case "check-session":
    case "check-not-exists":
      return checks(view, op);
    default:
      return fail(`unknown KV verb ${q(op.verb)}`);
  }
}
