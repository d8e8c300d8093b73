// The /v1/txn conformance cases (issue 12): written once, run against the model and a real Consul
// 1.8.7 agent with the same assertions. Every status and text below was measured on the agent with
// curl first; indexes are compared by relation (a real agent burns indexes in the background).
import { expect } from "vitest";
import type { HttpResponse } from "../../sim/consul/http-types.js";
import { createSession, entry, expectReply, get, put, type ConformanceCase } from "./conformance-cases.js";
import type { ConsulTarget } from "./consul-target.js";

const b64 = (s: string): string => Buffer.from(s).toString("base64");
const q = (s: string): string => JSON.stringify(s);
const unknownId = "00000000-0000-0000-0000-000000000000";

interface KvOp {
  Verb: string;
  Key: string;
  Value?: string | null;
  Flags?: number;
  Index?: number;
  Session?: string;
}
interface Result {
  KV: { LockIndex: number; Key: string; Flags: number; Value: string | null; Session?: string; CreateIndex: number; ModifyIndex: number };
}
interface TxnReply {
  Results: Result[] | null;
  Errors: { OpIndex: number; What: string }[] | null;
  Index?: number;
  KnownLeader?: boolean;
}

const kv = (op: KvOp): { KV: KvOp } => ({ KV: op });

async function txn(t: ConsulTarget, ops: unknown[] | string, query?: Record<string, string>): Promise<HttpResponse> {
  return put(t, "/v1/txn", query, typeof ops === "string" ? ops : JSON.stringify(ops));
}

/** Sends a transaction and expects `status` with a JSON reply. */
async function txnReply(t: ConsulTarget, ops: unknown[], status: number, query?: Record<string, string>): Promise<TxnReply> {
  const res = await txn(t, ops, query);
  expect(res.status, res.body).toBe(status);
  expect(res.headers["content-type"]).toBe("application/json");
  return JSON.parse(res.body) as TxnReply;
}

/** Expects a 409 whose errors are exactly `errors` ([opIndex, what]) and nothing else. */
async function expectConflict(t: ConsulTarget, ops: unknown[], errors: [number, string][]): Promise<TxnReply> {
  const reply = await txnReply(t, ops, 409);
  expect(reply.Results).toBeNull();
  expect(reply.Errors).toEqual(errors.map(([OpIndex, What]) => ({ OpIndex, What })));
  return reply;
}

const lockDelayWallMs = 3_000;

export const txnConformanceCases: ConformanceCase[] = [
  {
    id: 1,
    title: "a write transaction applies every op at one index; results have no values",
    realWallMs: 100,
    async run(t) {
      const [a, b] = [t.key("t1a"), t.key("t1b")];
      const reply = await txnReply(t, [kv({ Verb: "set", Key: a, Value: b64("va"), Flags: 3 }), kv({ Verb: "set", Key: b, Value: b64("vb") })], 200);
      expect(reply.Errors).toBeNull();
      expect(reply).not.toHaveProperty("KnownLeader");
      const [ra, rb] = reply.Results!;
      expect(ra!.KV).toMatchObject({ Key: a, Value: null, Flags: 3, LockIndex: 0 });
      expect(rb!.KV).toMatchObject({ Key: b, Value: null });
      expect(ra!.KV.ModifyIndex).toBe(rb!.KV.ModifyIndex);
      expect(ra!.KV.CreateIndex).toBe(ra!.KV.ModifyIndex);
      expect(await entry(t, a)).toMatchObject({ Value: b64("va"), Flags: 3, ModifyIndex: ra!.KV.ModifyIndex });
      // The same set again changes nothing: the entry keeps its ModifyIndex.
      const again = await txnReply(t, [kv({ Verb: "set", Key: a, Value: b64("va"), Flags: 3 })], 200);
      expect(again.Results![0]!.KV.ModifyIndex).toBe(ra!.KV.ModifyIndex);
    },
  },
  {
    id: 2,
    title: "a read-only transaction: get, get-tree, check-not-exists, with the read's meta",
    realWallMs: 100,
    async run(t) {
      const [a, b] = [t.key("t2/a"), t.key("t2/b")];
      await txnReply(t, [kv({ Verb: "set", Key: a, Value: b64("A") }), kv({ Verb: "set", Key: b, Value: null })], 200);
      const res = await txn(t, [kv({ Verb: "get", Key: a }), kv({ Verb: "get-tree", Key: t.key("t2/") }), kv({ Verb: "check-not-exists", Key: t.key("t2/c") })]);
      expect(res.status).toBe(200);
      expect(res.headers["x-consul-knownleader"]).toBe("true");
      expect(res.headers["x-consul-index"]).toBeUndefined();
      const reply = JSON.parse(res.body) as TxnReply & Record<string, unknown>;
      expect(reply).toMatchObject({ Errors: null, Index: 0, LastContact: 0, KnownLeader: true, ConsistencyLevel: "" });
      expect(reply.Results!.map((r) => [r.KV.Key, r.KV.Value])).toEqual([[a, b64("A")], [a, b64("A")], [b, null]]);
      const empty = await txnReply(t, [kv({ Verb: "get-tree", Key: t.key("t2-none/") })], 200);
      expect(empty.Results).toEqual([]);
      expectReply(await txn(t, [kv({ Verb: "get", Key: a })], { stale: "", consistent: "" }), 400, "Cannot specify ?stale with ?consistent, conflicting semantics.");
    },
  },
  {
    id: 3,
    title: "get of a missing key fails the read-only transaction with 409",
    realWallMs: 100,
    async run(t) {
      const k = t.key("t3");
      const reply = await expectConflict(t, [kv({ Verb: "get", Key: k })], [[0, `key ${q(k)} doesn't exist`]]);
      expect(reply).toMatchObject({ Index: 0, KnownLeader: true });
    },
  },
  {
    id: 4,
    title: "cas: index 0 only creates, a stale index fails, the current one writes",
    realWallMs: 100,
    async run(t) {
      const k = t.key("t4");
      const created = await txnReply(t, [kv({ Verb: "cas", Key: k, Index: 0, Value: b64("v1") })], 200);
      const m = created.Results![0]!.KV.ModifyIndex;
      await expectConflict(t, [kv({ Verb: "cas", Key: k, Index: 0, Value: b64("v2") })], [[0, `failed to set key ${q(k)}, index is stale`]]);
      await expectConflict(t, [kv({ Verb: "cas", Key: k, Index: m - 1, Value: b64("v2") })], [[0, `failed to set key ${q(k)}, index is stale`]]);
      const written = await txnReply(t, [kv({ Verb: "cas", Key: k, Index: m, Value: b64("v3") })], 200);
      expect(written.Results![0]!.KV.ModifyIndex).toBeGreaterThan(m);
      expect((await entry(t, k))!.Value).toBe(b64("v3"));
      await expectConflict(t, [kv({ Verb: "cas", Key: t.key("t4-missing"), Index: 5 })], [[0, `failed to set key ${q(t.key("t4-missing"))}, index is stale`]]);
    },
  },
  {
    id: 5,
    title: "check-index: the current index passes, another one and a missing key fail",
    realWallMs: 100,
    async run(t) {
      const k = t.key("t5");
      const m = (await txnReply(t, [kv({ Verb: "set", Key: k, Value: b64("v") })], 200)).Results![0]!.KV.ModifyIndex;
      const ok = await txnReply(t, [kv({ Verb: "check-index", Key: k, Index: m })], 200);
      expect(ok.Results![0]!.KV).toMatchObject({ Key: k, Value: null, ModifyIndex: m });
      await expectConflict(t, [kv({ Verb: "check-index", Key: k, Index: m - 1 })], [[0, `failed index check for key ${q(k)}, current modify index ${m} != ${m - 1}`]]);
      const missing = t.key("t5-missing");
      await expectConflict(t, [kv({ Verb: "check-index", Key: missing, Index: m })], [[0, `failed to check index, key ${q(missing)} doesn't exist`]]);
    },
  },
  {
    id: 6,
    title: "check-session: the holder passes, another session and a missing key fail",
    realWallMs: 100,
    async run(t) {
      const [a, b] = [await createSession(t), await createSession(t)];
      const k = t.key("t6");
      expectReply(await put(t, `/v1/kv/${k}`, { acquire: a }, "held"), 200, "true");
      const ok = await txnReply(t, [kv({ Verb: "check-session", Key: k, Session: a })], 200);
      expect(ok.Results![0]!.KV).toMatchObject({ Key: k, Session: a, Value: null, LockIndex: 1 });
      await expectConflict(t, [kv({ Verb: "check-session", Key: k, Session: b })], [[0, `failed session check for key ${q(k)}, current session ${q(a)} != ${q(b)}`]]);
      const missing = t.key("t6-missing");
      await expectConflict(t, [kv({ Verb: "check-session", Key: missing, Session: a })], [[0, `failed to check session, key ${q(missing)} doesn't exist`]]);
      // An unlocked key passes a check for the empty session.
      const free = t.key("t6-free");
      await txnReply(t, [kv({ Verb: "set", Key: free })], 200);
      await txnReply(t, [kv({ Verb: "check-session", Key: free })], 200);
    },
  },
  {
    id: 7,
    title: "check-session after the session was invalidated refuses the guarded write (Vault's HA pattern)",
    realWallMs: 100,
    async run(t) {
      const [rel, del] = [await createSession(t, { LockDelay: "0s" }), await createSession(t, { Behavior: "delete", LockDelay: "0s" })];
      const [k, kd, effect] = [t.key("t7"), t.key("t7d"), t.key("t7-effect")];
      await put(t, `/v1/kv/${k}`, { acquire: rel }, "held");
      await put(t, `/v1/kv/${kd}`, { acquire: del }, "held");
      expectReply(await put(t, `/v1/session/destroy/${rel}`), 200, "true");
      expectReply(await put(t, `/v1/session/destroy/${del}`), 200, "true");
      const guarded = (key: string, session: string): unknown[] => [kv({ Verb: "check-session", Key: key, Session: session }), kv({ Verb: "set", Key: effect, Value: b64("late") })];
      await expectConflict(t, guarded(k, rel), [[0, `failed session check for key ${q(k)}, current session "" != ${q(rel)}`]]);
      await expectConflict(t, guarded(kd, del), [[0, `failed to check session, key ${q(kd)} doesn't exist`]]);
      expect(await entry(t, effect)).toBeUndefined();
    },
  },
  {
    id: 8,
    title: "a failing op rolls the whole transaction back; every failing op is reported",
    realWallMs: 100,
    async run(t) {
      const [a, b, c] = [t.key("t8a"), t.key("t8b"), t.key("t8c")];
      await txnReply(t, [kv({ Verb: "set", Key: c, Value: b64("old") })], 200);
      await expectConflict(
        t,
        [kv({ Verb: "set", Key: a, Value: b64("x") }), kv({ Verb: "delete", Key: c }), kv({ Verb: "check-not-exists", Key: c }), kv({ Verb: "get", Key: b }), kv({ Verb: "set", Key: b })],
        [[3, `key ${q(b)} doesn't exist`]],
      );
      await expectConflict(t, [kv({ Verb: "set", Key: a }), kv({ Verb: "check-not-exists", Key: c }), kv({ Verb: "cas", Key: c, Index: 1 })], [[1, `key ${q(c)} exists`], [2, `failed to set key ${q(c)}, index is stale`]]);
      expect(await entry(t, a)).toBeUndefined();
      expect((await entry(t, c))!.Value).toBe(b64("old"));
      // Later ops see earlier ones: a key set in the transaction can be read back by it.
      const reply = await txnReply(t, [kv({ Verb: "set", Key: b, Value: b64("nb") }), kv({ Verb: "get", Key: b })], 200);
      expect(reply.Results!.map((r) => r.KV.Value)).toEqual([null, b64("nb")]);
    },
  },
  {
    id: 9,
    title: "lock and unlock: LockIndex like ?acquire and ?release; a non-holder can do neither",
    realWallMs: 100,
    async run(t) {
      const [a, b] = [await createSession(t), await createSession(t)];
      const k = t.key("t9");
      const first = await txnReply(t, [kv({ Verb: "lock", Key: k, Session: a, Value: b64("a"), Flags: 7 })], 200);
      expect(first.Results![0]!.KV).toMatchObject({ LockIndex: 1, Session: a, Flags: 7, Value: null });
      const again = await txnReply(t, [kv({ Verb: "lock", Key: k, Session: a })], 200);
      expect(again.Results![0]!.KV).toMatchObject({ LockIndex: 1, Session: a, Flags: 0 });
      await expectConflict(t, [kv({ Verb: "lock", Key: k, Session: b })], [[0, `failed to lock key ${q(k)}, lock is already held`]]);
      await expectConflict(t, [kv({ Verb: "unlock", Key: k, Session: b })], [[0, `failed to unlock key ${q(k)}, lock isn't held, or is held by another session`]]);
      const unlocked = await txnReply(t, [kv({ Verb: "unlock", Key: k, Session: a, Value: b64("free") })], 200);
      expect(unlocked.Results![0]!.KV).toMatchObject({ LockIndex: 1, Value: null });
      expect(unlocked.Results![0]!.KV).not.toHaveProperty("Session");
      const next = await txnReply(t, [kv({ Verb: "lock", Key: k, Session: b })], 200);
      expect(next.Results![0]!.KV).toMatchObject({ LockIndex: 2, Session: b });
      expect((await entry(t, k))!).toMatchObject({ LockIndex: 2, Session: b, Value: null });
    },
  },
  {
    id: 10,
    title: "lock with a missing, malformed or unknown session",
    realWallMs: 100,
    async run(t) {
      const k = t.key("t10");
      await expectConflict(t, [kv({ Verb: "lock", Key: k })], [[0, "missing session"]]);
      await expectConflict(t, [kv({ Verb: "unlock", Key: k })], [[0, "missing session"]]);
      await expectConflict(t, [kv({ Verb: "lock", Key: k, Session: "nope" })], [[0, "failed session lookup: index error: UUID must be 36 characters"]]);
      await expectConflict(t, [kv({ Verb: "lock", Key: k, Session: unknownId })], [[0, `invalid session ${q(unknownId)}`]]);
      expect(await entry(t, k)).toBeUndefined();
    },
  },
  {
    id: 11,
    title: "lock inside lock-delay is refused before Raft, for every lock op; after it, it succeeds",
    realWallMs: lockDelayWallMs + 1_000,
    async run(t) {
      const [h, w] = [await createSession(t, { LockDelay: `${lockDelayWallMs / 1000}s` }), await createSession(t)];
      const [k, k2] = [t.key("t11"), t.key("t11b")];
      await put(t, `/v1/kv/${k}`, { acquire: h }, "held");
      const t0 = t.nowMs();
      expectReply(await put(t, `/v1/session/destroy/${h}`), 200, "true");
      await expectConflict(
        t,
        [kv({ Verb: "lock", Key: k, Session: w }), kv({ Verb: "lock", Key: k2, Session: w }), kv({ Verb: "lock", Key: k, Session: w })],
        [[0, `failed to lock key ${q(k)} due to lock delay`], [2, `failed to lock key ${q(k)} due to lock delay`]],
      );
      expect(await entry(t, k2)).toBeUndefined();
      const left = t0 + lockDelayWallMs + 500 - t.nowMs();
      if (left > 0) await t.sleepMs(left);
      const reply = await txnReply(t, [kv({ Verb: "lock", Key: k, Session: w })], 200);
      expect(reply.Results![0]!.KV).toMatchObject({ Session: w, LockIndex: 2 });
    },
  },
  {
    id: 12,
    title: "delete, delete-cas and delete-tree",
    realWallMs: 100,
    async run(t) {
      const [a, b, c] = [t.key("t12/a"), t.key("t12/b"), t.key("t12/sub/c")];
      const set = await txnReply(t, [kv({ Verb: "set", Key: a }), kv({ Verb: "set", Key: b }), kv({ Verb: "set", Key: c })], 200);
      const m = set.Results![0]!.KV.ModifyIndex;
      await expectConflict(t, [kv({ Verb: "delete-cas", Key: a, Index: m - 1 })], [[0, `failed to delete key ${q(a)}, index is stale`]]);
      expect((await txnReply(t, [kv({ Verb: "delete-cas", Key: a, Index: m })], 200)).Results).toEqual([]);
      expect(await entry(t, a)).toBeUndefined();
      // A missing key: delete and delete-cas (any index) succeed.
      await txnReply(t, [kv({ Verb: "delete-cas", Key: a, Index: 5 }), kv({ Verb: "delete", Key: t.key("t12/none") })], 200);
      await txnReply(t, [kv({ Verb: "delete-tree", Key: t.key("t12/sub/") })], 200);
      expect(await entry(t, c)).toBeUndefined();
      expect(await entry(t, b)).toBeDefined();
      await txnReply(t, [kv({ Verb: "delete", Key: b })], 200);
      expect(await entry(t, b)).toBeUndefined();
    },
  },
  {
    id: 13,
    title: "more than 64 operations: 413, nothing applied; exactly 64 pass",
    realWallMs: 100,
    async run(t) {
      const k = t.key("t13");
      const ops = (n: number): unknown[] => Array.from({ length: n }, (_, i) => kv({ Verb: "set", Key: `${k}/${i}` }));
      expectReply(await txn(t, ops(65)), 413, "Transaction contains too many operations (65 > 64)");
      expect(await entry(t, `${k}/0`)).toBeUndefined();
      // Empty operations count too.
      expectReply(await txn(t, [...ops(1), ...Array.from({ length: 64 }, () => ({}))]), 413, "Transaction contains too many operations (65 > 64)");
      const reply = await txnReply(t, ops(64), 200);
      expect(reply.Results).toHaveLength(64);
    },
  },
  {
    id: 14,
    title: "unknown verbs: 409 per op, read-only unless the transaction also writes",
    realWallMs: 100,
    async run(t) {
      const k = t.key("t14");
      const read = await expectConflict(t, [kv({ Verb: "bogus", Key: k })], [[0, 'unknown KV verb "bogus"']]);
      expect(read.KnownLeader).toBe(true);
      await expectConflict(t, [kv({ Verb: "SET", Key: k })], [[0, 'unknown KV verb "SET"']]);
      const write = await expectConflict(t, [kv({ Verb: "set", Key: k }), kv({ Verb: "bogus", Key: k })], [[1, 'unknown KV verb "bogus"']]);
      expect(write).not.toHaveProperty("KnownLeader");
      expect(await entry(t, k)).toBeUndefined();
    },
  },
  {
    id: 15,
    title: "bodies Go cannot decode: 400 Failed to parse body",
    realWallMs: 100,
    async run(t) {
      const k = t.key("t15");
      expectReply(await txn(t, ""), 400, "Failed to parse body: EOF");
      expectReply(await txn(t, "["), 400, "Failed to parse body: unexpected EOF");
      expectReply(await txn(t, JSON.stringify(kv({ Verb: "get", Key: k }))), 400, "Failed to parse body: json: cannot unmarshal object into Go value of type api.TxnOps");
      expectReply(await txn(t, "[5]"), 400, "Failed to parse body: json: cannot unmarshal number into Go value of type api.TxnOp");
      expectReply(await txn(t, [{ KV: 5 }]), 400, "Failed to parse body: json: cannot unmarshal number into Go struct field TxnOp.KV of type api.KVTxnOp");
      expectReply(await txn(t, [kv({ Verb: "set", Key: k, Value: "!!" })]), 400, "Failed to parse body: illegal base64 data at input byte 0");
      expectReply(await txn(t, [{ KV: { Verb: "set", Key: k, Value: 5 } }]), 400, "Failed to parse body: json: cannot unmarshal number into Go struct field KVTxnOp.KV.Value of type []uint8");
      expectReply(await txn(t, [{ KV: { Verb: "get", Key: k, Index: "x" } }]), 400, "Failed to parse body: json: cannot unmarshal string into Go struct field KVTxnOp.KV.Index of type uint64");
      expectReply(await txn(t, [{ KV: { Verb: "get", Key: k, Flags: -1 } }]), 400, "Failed to parse body: json: cannot unmarshal number -1 into Go struct field KVTxnOp.KV.Flags of type uint64");
      expectReply(await txn(t, [{ KV: { Verb: "set", Key: k, Bogus: 1 } }]), 400, 'Failed to parse body: json: unknown field "Bogus"');
      // Field names match case-insensitively, as Go's decoder does; empty operations are no-ops.
      await txnReply(t, [{ kv: { verb: "set", key: k, value: b64("lower") } }, {}, { KV: null }], 200);
      expect((await entry(t, k))!.Value).toBe(b64("lower"));
      expect((await txnReply(t, [], 200)).Results).toEqual([]);
    },
  },
  {
    id: 16,
    title: "a body over 512 KB: 413 naming its size, nothing written",
    realWallMs: 300,
    async run(t) {
      const k = t.key("t16");
      const body = (n: number): string => JSON.stringify([kv({ Verb: "set", Key: k, Value: Buffer.alloc(n, "x").toString("base64") })]);
      const big = body(393_216);
      expectReply(await txn(t, big), 413, `Request body(${Buffer.byteLength(big)} bytes) too large, max size: 524288 bytes. See https://www.consul.io/docs/agent/options.html#txn_max_req_len.`);
      expect(await entry(t, k)).toBeUndefined();
      expect((await txn(t, body(380_000))).status).toBe(200);
      expect((await entry(t, k))!.Value).toHaveLength(Buffer.alloc(380_000).toString("base64").length);
    },
  },
  {
    id: 17,
    title: "an empty key is refused before Raft (except by delete-tree)",
    realWallMs: 100,
    async run(t) {
      await expectConflict(t, [kv({ Verb: "set", Key: "" })], [[0, "Must provide key"]]);
      const read = await expectConflict(t, [kv({ Verb: "get", Key: "" }), kv({ Verb: "get-tree", Key: "" })], [[0, "Must provide key"], [1, "Must provide key"]]);
      expect(read.KnownLeader).toBe(true);
    },
  },
  {
    id: 18,
    title: "a set on a held key keeps its session and resets LockIndex to 0, as a PUT does",
    realWallMs: 100,
    async run(t) {
      const a = await createSession(t);
      const k = t.key("t18");
      await put(t, `/v1/kv/${k}`, { acquire: a }, "held");
      const reply = await txnReply(t, [kv({ Verb: "set", Key: k, Value: b64("plain") })], 200);
      expect(reply.Results![0]!.KV).toMatchObject({ Session: a, LockIndex: 0, Value: null });
      expect(await entry(t, k)).toMatchObject({ Session: a, LockIndex: 0, Value: b64("plain") });
    },
  },
  {
    id: 19,
    title: "blocking reads wake on a transaction's write, not on a refused transaction",
    realWallMs: 2_500,
    async run(t) {
      const k = t.key("t19");
      const m = (await txnReply(t, [kv({ Verb: "set", Key: k, Value: b64("v1") })], 200)).Results![0]!.KV.ModifyIndex;
      const woken = t.send({ method: "GET", path: `/v1/kv/${k}`, query: { index: String(m), wait: "5s" } });
      await t.sleepMs(300);
      expect(woken.settled).toBe(false);
      const m2 = (await txnReply(t, [kv({ Verb: "set", Key: k, Value: b64("v2") })], 200)).Results![0]!.KV.ModifyIndex;
      const res = await t.wait(woken);
      expect(Number(res.headers["x-consul-index"])).toBe(m2);
      const t0 = t.nowMs();
      const blocked = t.send({ method: "GET", path: `/v1/kv/${k}`, query: { index: String(m2), wait: "1s" } });
      await t.sleepMs(300);
      await expectConflict(t, [kv({ Verb: "set", Key: k, Value: b64("v3") }), kv({ Verb: "check-not-exists", Key: k })], [[1, `key ${q(k)} exists`]]);
      const after = await t.wait(blocked);
      expect(t.nowMs() - t0).toBeGreaterThanOrEqual(900);
      expect(Number(after.headers["x-consul-index"])).toBe(m2);
      expect((JSON.parse(after.body) as { Value: string }[])[0]!.Value).toBe(b64("v2"));
    },
  },
  {
    id: 21,
    title: "a key set and deleted by one transaction leaves a tombstone: a read of the missing key answers the transaction's index",
    realWallMs: 100,
    async run(t) {
      const k = t.key("t21");
      const before = await get(t, `/v1/kv/${k}`);
      expect(before.status).toBe(404);
      const reply = await txnReply(t, [kv({ Verb: "set", Key: k, Value: b64("v") }), kv({ Verb: "delete", Key: k })], 200);
      const m = reply.Results![0]!.KV.ModifyIndex;
      expect(m).toBeGreaterThan(Number(before.headers["x-consul-index"]));
      // The missing key's index is max(kvs table, tombstones): the tombstone this transaction left.
      const after = await get(t, `/v1/kv/${k}`);
      expect(after.status).toBe(404);
      expect(Number(after.headers["x-consul-index"])).toBeGreaterThanOrEqual(m);
    },
  },
  {
    id: 20,
    title: "routing: only PUT on the exact path",
    realWallMs: 100,
    async run(t) {
      const res = await get(t, "/v1/txn");
      expectReply(res, 405, "method GET not allowed");
      expect(res.headers.allow).toBe("OPTIONS,PUT");
      expect((await t.request({ method: "DELETE", path: "/v1/txn" })).status).toBe(405);
      expect((await put(t, "/v1/txn/extra", undefined, "[]")).status).toBe(404);
    },
  },
];
