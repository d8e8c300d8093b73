// The 20 single-server conformance cases of consul-semantics.md §9, written once and run against
// the model and a real agent with the same assertions. Case 21 (leader failover) needs a 3-server
// cluster on the real side; its model half lives in consul-model.test.ts.
import { expect } from "vitest";
import type { HttpRequest, HttpResponse } from "../../sim/consul/http-types.js";
import type { ConsulTarget } from "./consul-target.js";

type Q = Record<string, string>;
const unknownId = "00000000-0000-0000-0000-000000000000";
const b64 = (s: string): string => Buffer.from(s).toString("base64");

export const put = (t: ConsulTarget, path: string, query?: Q, body?: string): Promise<HttpResponse> =>
  t.request({ method: "PUT", path, query, body });
export const get = (t: ConsulTarget, path: string, query?: Q): Promise<HttpResponse> => t.request({ method: "GET", path, query });
export const del = (t: ConsulTarget, path: string, query?: Q): Promise<HttpResponse> => t.request({ method: "DELETE", path, query });

/** Asserts a status and an exact body (ignoring a trailing newline). */
export function expectReply(res: HttpResponse, status: number, body: string): void {
  expect({ status: res.status, body: res.body.trim() }).toEqual({ status, body });
}

export async function createSession(t: ConsulTarget, body: unknown = {}): Promise<string> {
  const res = await put(t, "/v1/session/create", undefined, JSON.stringify(body));
  expect(res.status, res.body).toBe(200);
  return (JSON.parse(res.body) as { ID: string }).ID;
}

export async function sessionInfo(t: ConsulTarget, id: string): Promise<Record<string, unknown> | undefined> {
  const res = await get(t, `/v1/session/info/${id}`);
  expect(res.status).toBe(200);
  return (JSON.parse(res.body) as Record<string, unknown>[])[0];
}

export interface Entry {
  LockIndex: number;
  Key: string;
  Flags: number;
  Value: string | null;
  Session?: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export async function entry(t: ConsulTarget, key: string): Promise<Entry | undefined> {
  const res = await get(t, `/v1/kv/${key}`);
  if (res.status === 404) return undefined;
  expect(res.status, res.body).toBe(200);
  return (JSON.parse(res.body) as Entry[])[0];
}

const acquire = (t: ConsulTarget, key: string, sid: string, body?: string, extra: Q = {}): Promise<HttpResponse> =>
  put(t, `/v1/kv/${key}`, { acquire: sid, ...extra }, body);
const release = (t: ConsulTarget, key: string, sid: string, body?: string): Promise<HttpResponse> =>
  put(t, `/v1/kv/${key}`, { release: sid }, body);

/** Sleeps until `ms` after `t0` on the target's clock. */
async function sleepUntil(t: ConsulTarget, t0: number, ms: number): Promise<void> {
  const left = t0 + ms - t.nowMs();
  if (left > 0) await t.sleepMs(left);
}

/** Repeats `probe` until it returns true (real agents apply some changes asynchronously). */
async function eventually(t: ConsulTarget, probe: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const t0 = t.nowMs();
  while (!(await probe())) {
    if (t.nowMs() - t0 > timeoutMs) throw new Error(`condition not met within ${timeoutMs}ms`);
    await t.sleepMs(100);
  }
}

/** One conformance case: `realWallMs` is about how long it takes on a real agent. */
export interface ConformanceCase {
  id: number;
  title: string;
  realWallMs: number;
  run(t: ConsulTarget): Promise<void>;
}

export const conformanceCases: ConformanceCase[] = [
  {
    id: 1,
    title: "session defaults",
    realWallMs: 100,
    async run(t) {
      for (const body of ["{}", undefined]) {
        const res = await put(t, "/v1/session/create", undefined, body);
        expect(res.status).toBe(200);
        const id = (JSON.parse(res.body) as { ID: string }).ID;
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        const info = await sessionInfo(t, id);
        expect(info).toMatchObject({ ID: id, Name: "", LockDelay: 15_000_000_000, Behavior: "release", TTL: "", NodeChecks: ["serfHealth"], ServiceChecks: null });
        expect(info!.CreateIndex).toBe(info!.ModifyIndex);
        expect(info).not.toHaveProperty("Checks");
      }
    },
  },
  {
    id: 2,
    title: "TTL bounds and parsing",
    realWallMs: 100,
    async run(t) {
      const create = (ttl: unknown): Promise<HttpResponse> => put(t, "/v1/session/create", undefined, JSON.stringify({ TTL: ttl }));
      expectReply(await create("5s"), 500, "Invalid Session TTL '5000000000', must be between [10s=24h0m0s]");
      expectReply(await create("9999ms"), 500, "Invalid Session TTL '9999000000', must be between [10s=24h0m0s]");
      expectReply(await create("-10s"), 500, "Invalid Session TTL '-10000000000', must be between [10s=24h0m0s]");
      expectReply(await create("86401s"), 500, "Invalid Session TTL '86401000000000', must be between [10s=24h0m0s]");
      expectReply(await create("abc"), 500, 'Session TTL \'abc\' invalid: time: invalid duration "abc"');
      expectReply(await create("10"), 500, 'Session TTL \'10\' invalid: time: missing unit in duration "10"');
      expectReply(await create(15), 400, "Request decode failed: json: cannot unmarshal number into Go struct field .TTL of type string");
      for (const ttl of ["10s", "10000ms", "10.5s", "86400s", "24h", "0s", ""]) {
        const res = await create(ttl);
        expect(res.status, `TTL ${ttl}: ${res.body}`).toBe(200);
        const info = await sessionInfo(t, (JSON.parse(res.body) as { ID: string }).ID);
        expect(info?.TTL).toBe(ttl);
      }
    },
  },
  {
    id: 3,
    title: "Behavior and LockDelay parsing",
    realWallMs: 100,
    async run(t) {
      const create = (body: unknown): Promise<HttpResponse> => put(t, "/v1/session/create", undefined, JSON.stringify(body));
      expectReply(await create({ Behavior: "foo" }), 500, "Invalid Behavior setting 'foo'");
      expectReply(await create({ Behavior: "Release" }), 500, "Invalid Behavior setting 'Release'");
      expectReply(await create({ LockDelay: "5" }), 400, 'Request decode failed: time: missing unit in duration "5"');
      expectReply(await create({ LockDelay: "abc" }), 400, 'Request decode failed: time: invalid duration "abc"');
      const cases: [unknown, number][] = [["120s", 120e9], [5, 5e9], [0, 0], [2000, 2000], ["-5s", -5e18]];
      for (const [lockDelay, stored] of cases) {
        const info = await sessionInfo(t, await createSession(t, { LockDelay: lockDelay }));
        expect(info?.LockDelay, `LockDelay ${JSON.stringify(lockDelay)}`).toBe(stored);
      }
      const notJson = await put(t, "/v1/session/create", undefined, "not json");
      expectReply(notJson, 400, "Request decode failed: invalid character 'o' in literal null (expecting 'u')");
      expect((await sessionInfo(t, await createSession(t, { Unknown: 1, Behavior: "delete" })))?.Behavior).toBe("delete");
    },
  },
  {
    id: 4,
    title: "fresh acquire",
    realWallMs: 100,
    async run(t) {
      const a = await createSession(t);
      const k = t.key("c4");
      expectReply(await acquire(t, k, a, "v1"), 200, "true");
      const res = await get(t, `/v1/kv/${k}`);
      const e = (JSON.parse(res.body) as Entry[])[0]!;
      expect(e).toMatchObject({ LockIndex: 1, Session: a, Value: b64("v1"), Flags: 0 });
      expect(e.CreateIndex).toBe(e.ModifyIndex);
      expect(Number(res.headers["x-consul-index"])).toBe(e.ModifyIndex);
    },
  },
  {
    id: 5,
    title: "holder re-acquire",
    realWallMs: 100,
    async run(t) {
      const a = await createSession(t);
      const k = t.key("c5");
      await acquire(t, k, a, "v1");
      const before = (await entry(t, k))!;
      expectReply(await acquire(t, k, a, "v2", { flags: "7" }), 200, "true");
      const after = (await entry(t, k))!;
      expect(after).toMatchObject({ LockIndex: 1, Flags: 7, Value: b64("v2"), CreateIndex: before.CreateIndex });
      expect(after.ModifyIndex).toBeGreaterThan(before.ModifyIndex);
      expectReply(await acquire(t, k, a, "v2", { flags: "7" }), 200, "true");
      expect((await entry(t, k))!.ModifyIndex).toBe(after.ModifyIndex);
    },
  },
  {
    id: 6,
    title: "contention",
    realWallMs: 100,
    async run(t) {
      const [a, b] = [await createSession(t), await createSession(t)];
      const k = t.key("c6");
      await acquire(t, k, a, "v1");
      const before = await get(t, `/v1/kv/${k}`);
      expectReply(await acquire(t, k, b, "vb"), 200, "false");
      expect(JSON.parse((await get(t, `/v1/kv/${k}`)).body)).toEqual(JSON.parse(before.body));
    },
  },
  {
    id: 7,
    title: "non-holder release",
    realWallMs: 100,
    async run(t) {
      const [a, b] = [await createSession(t), await createSession(t)];
      const k = t.key("c7");
      await acquire(t, k, a, "v1");
      const before = JSON.parse((await get(t, `/v1/kv/${k}`)).body) as unknown;
      expectReply(await release(t, k, b), 200, "false");
      expectReply(await release(t, k, unknownId), 200, "false");
      expect(JSON.parse((await get(t, `/v1/kv/${k}`)).body)).toEqual(before);
    },
  },
  {
    id: 8,
    title: "holder release",
    realWallMs: 100,
    async run(t) {
      const a = await createSession(t);
      const k = t.key("c8");
      await acquire(t, k, a, "v1", { flags: "3" });
      const before = (await entry(t, k))!;
      expectReply(await release(t, k, a, "v3"), 200, "true");
      const after = (await entry(t, k))!;
      expect(after).not.toHaveProperty("Session");
      expect(after).toMatchObject({ LockIndex: 1, Value: b64("v3"), Flags: 0 });
      expect(after.ModifyIndex).toBeGreaterThan(before.ModifyIndex);
      expectReply(await release(t, k, a, "v3"), 200, "false");
    },
  },
  {
    id: 9,
    title: "re-lock count, no lock-delay after release",
    realWallMs: 100,
    async run(t) {
      const [a, b] = [await createSession(t), await createSession(t)];
      const k = t.key("c9");
      await acquire(t, k, a, "v1");
      await release(t, k, a);
      expectReply(await acquire(t, k, b), 200, "true");
      expect((await entry(t, k))!.LockIndex).toBe(2);
      const k2 = t.key("c9b");
      await acquire(t, k2, a);
      await release(t, k2, a);
      expectReply(await acquire(t, k2, a), 200, "true");
      expect((await entry(t, k2))!.LockIndex).toBe(2);
    },
  },
  {
    id: 10,
    title: "bad session ids",
    realWallMs: 100,
    async run(t) {
      const a = await createSession(t);
      const k = t.key("c10");
      expectReply(await acquire(t, k, unknownId), 500, `invalid session "${unknownId}"`);
      expectReply(await acquire(t, k, "foo"), 500, "failed session lookup: index error: UUID must be 36 characters");
      expectReply(await acquire(t, k, ""), 500, "missing session");
      expectReply(await release(t, k, ""), 500, "missing session");
      expectReply(await release(t, t.key("c10-missing"), a), 200, "false");
      expect(await entry(t, k)).toBeUndefined();
    },
  },
  {
    id: 11,
    title: "destroy with release behavior and the default 15s lock-delay",
    realWallMs: 16_000,
    async run(t) {
      const h = await createSession(t);
      const w = await createSession(t);
      const [k, k2] = [t.key("c11"), t.key("c11b")];
      await acquire(t, k, h, "held");
      await acquire(t, k2, h, "held2");
      const before = (await entry(t, k))!;
      const t0 = t.nowMs();
      expectReply(await put(t, `/v1/session/destroy/${h}`), 200, "true");
      const after = (await entry(t, k))!;
      expect(after).not.toHaveProperty("Session");
      expect(after).toMatchObject({ LockIndex: before.LockIndex, Value: before.Value });
      expect(after.ModifyIndex).toBeGreaterThan(before.ModifyIndex);
      expectReply(await acquire(t, k, w), 200, "false");
      // lock-delay is checked before the session: a destroyed or unknown session gets false, not 500
      expectReply(await acquire(t, k, h), 200, "false");
      expectReply(await acquire(t, k, unknownId), 200, "false");
      // plain PUT and CAS are not blocked by lock-delay
      expectReply(await put(t, `/v1/kv/${k2}`, undefined, "plain"), 200, "true");
      const k2e = (await entry(t, k2))!;
      expectReply(await put(t, `/v1/kv/${k2}`, { cas: String(k2e.ModifyIndex) }, "cas"), 200, "true");
      await sleepUntil(t, t0, 14_000);
      expectReply(await acquire(t, k, w), 200, "false");
      await sleepUntil(t, t0, 15_500);
      expectReply(await acquire(t, k, w), 200, "true");
      expect((await entry(t, k))!.LockIndex).toBe(before.LockIndex + 1);
    },
  },
  {
    id: 12,
    title: "destroy with delete behavior",
    realWallMs: 16_000,
    async run(t) {
      const h = await createSession(t, { Behavior: "delete" });
      const w = await createSession(t);
      const k = t.key("c12");
      await acquire(t, k, h, "held");
      const before = (await entry(t, k))!;
      const t0 = t.nowMs();
      expectReply(await put(t, `/v1/session/destroy/${h}`), 200, "true");
      expect((await get(t, `/v1/kv/${k}`)).status).toBe(404);
      expectReply(await acquire(t, k, w), 200, "false");
      await sleepUntil(t, t0, 14_000);
      expectReply(await acquire(t, k, w), 200, "false");
      await sleepUntil(t, t0, 15_500);
      expectReply(await acquire(t, k, w), 200, "true");
      const after = (await entry(t, k))!;
      expect(after.LockIndex).toBe(1);
      expect(after.CreateIndex).toBeGreaterThan(before.CreateIndex);
    },
  },
  {
    id: 13,
    title: "lock-delay capped at 60s; zero means none",
    realWallMs: 62_000,
    async run(t) {
      const long = await createSession(t, { LockDelay: "120s" });
      const zero = await createSession(t, { LockDelay: "0s" });
      const w = await createSession(t);
      const [k1, k2] = [t.key("c13a"), t.key("c13b")];
      await acquire(t, k1, long);
      await acquire(t, k2, zero);
      const t0 = t.nowMs();
      await put(t, `/v1/session/destroy/${long}`);
      await put(t, `/v1/session/destroy/${zero}`);
      expectReply(await acquire(t, k2, w), 200, "true");
      expectReply(await acquire(t, k1, w), 200, "false");
      await sleepUntil(t, t0, 59_000);
      expectReply(await acquire(t, k1, w), 200, "false");
      await sleepUntil(t, t0, 61_000);
      expectReply(await acquire(t, k1, w), 200, "true");
    },
  },
  {
    id: 14,
    title: "TTL expiry at 2×TTL, renew resets it",
    realWallMs: 37_000,
    async run(t) {
      const s1 = await createSession(t, { TTL: "10s" });
      const s2 = await createSession(t, { TTL: "10s" });
      const k = t.key("c14");
      await acquire(t, k, s1, "v");
      const t0 = t.nowMs();
      await sleepUntil(t, t0, 9_500);
      expect(await sessionInfo(t, s1)).toBeDefined();
      await sleepUntil(t, t0, 15_000);
      const renewed = await put(t, `/v1/session/renew/${s2}`);
      expect(renewed.status).toBe(200);
      expect(JSON.parse(renewed.body)).toEqual([expect.objectContaining({ ID: s2, TTL: "10s" })]);
      await sleepUntil(t, t0, 19_000);
      expect(await sessionInfo(t, s1)).toBeDefined();
      await sleepUntil(t, t0, 21_500);
      expect(await sessionInfo(t, s1)).toBeUndefined();
      const e = (await entry(t, k))!;
      expect(e).not.toHaveProperty("Session");
      expect(e.LockIndex).toBe(1);
      expectReply(await put(t, `/v1/session/renew/${s1}`), 404, `Session id '${s1}' not found`);
      await sleepUntil(t, t0, 34_000);
      expect(await sessionInfo(t, s2)).toBeDefined();
      await sleepUntil(t, t0, 36_500);
      expect(await sessionInfo(t, s2)).toBeUndefined();
    },
  },
  {
    id: 15,
    title: "plain PUT on a held key resets LockIndex to 0",
    realWallMs: 100,
    async run(t) {
      const a = await createSession(t);
      const k = t.key("c15");
      await acquire(t, k, a, "v1");
      expectReply(await put(t, `/v1/kv/${k}`, undefined, "x"), 200, "true");
      expect(await entry(t, k)).toMatchObject({ Session: a, LockIndex: 0, Value: b64("x") });
    },
  },
  {
    id: 16,
    title: "CAS put and delete",
    realWallMs: 100,
    async run(t) {
      const [k, absent] = [t.key("c16"), t.key("c16-absent")];
      expectReply(await put(t, `/v1/kv/${k}`, { cas: "0" }, "a"), 200, "true");
      expectReply(await put(t, `/v1/kv/${k}`, { cas: "0" }, "b"), 200, "false");
      const m = (await entry(t, k))!.ModifyIndex;
      expectReply(await put(t, `/v1/kv/${k}`, { cas: String(m) }, "c"), 200, "true");
      expectReply(await put(t, `/v1/kv/${k}`, { cas: String(m) }, "d"), 200, "false");
      expectReply(await put(t, `/v1/kv/${absent}`, { cas: "5" }, "e"), 200, "false");
      expectReply(await put(t, `/v1/kv/${k}`, { cas: "abc" }), 500, 'strconv.ParseUint: parsing "abc": invalid syntax');
      expectReply(await put(t, `/v1/kv/${k}`, { flags: "abc" }), 500, 'strconv.ParseUint: parsing "abc": invalid syntax');
      const current = (await entry(t, k))!.ModifyIndex;
      expectReply(await del(t, `/v1/kv/${k}`, { cas: String(current - 1) }), 200, "false");
      expectReply(await del(t, `/v1/kv/${k}`, { cas: String(current) }), 200, "true");
      expectReply(await del(t, `/v1/kv/${absent}`, { cas: "5" }), 200, "true");
      expect(await entry(t, k)).toBeUndefined();
    },
  },
  {
    id: 17,
    title: "conflicting flags",
    realWallMs: 100,
    async run(t) {
      const a = await createSession(t);
      const k = t.key("c17");
      expectReply(await put(t, `/v1/kv/${k}`, { acquire: a, release: a }), 400, `Conflicting flags: acquire=${a}&release=${a}`);
      expectReply(await put(t, `/v1/kv/${k}`, { acquire: a, cas: "0" }), 400, `Conflicting flags: acquire=${a}&cas=0`);
      expect(await entry(t, k)).toBeUndefined();
    },
  },
  {
    id: 18,
    title: "blocking queries: wait, jitter, wake-ups",
    realWallMs: 3_000,
    async run(t) {
      const [a, b] = [await createSession(t), await createSession(t)];
      const [k, other] = [t.key("c18"), t.key("c18-other")];
      await acquire(t, k, a, "v1");
      const m = (await entry(t, k))!.ModifyIndex;
      // Nothing that leaves the key unchanged wakes the query.
      let t0 = t.nowMs();
      const blocked = t.send({ method: "GET", path: `/v1/kv/${k}`, query: { index: String(m), wait: "2s" } });
      expectReply(await acquire(t, k, b), 200, "false");
      expectReply(await release(t, k, b), 200, "false");
      expect((await put(t, `/v1/session/renew/${a}`)).status).toBe(200);
      expectReply(await acquire(t, k, a, "v1"), 200, "true");
      expectReply(await put(t, `/v1/kv/${other}`, undefined, "x"), 200, "true");
      const res = await t.wait(blocked);
      const tookMs = t.nowMs() - t0;
      expect(tookMs).toBeGreaterThanOrEqual(2_000);
      expect(tookMs).toBeLessThanOrEqual(t.kind === "model" ? 2_125 : 2_400);
      expect(Number(res.headers["x-consul-index"])).toBe(m);
      // Destroying the holder wakes it at once.
      t0 = t.nowMs();
      const woken = t.send({ method: "GET", path: `/v1/kv/${k}`, query: { index: String(m), wait: "5s" } });
      await t.sleepMs(500);
      await put(t, `/v1/session/destroy/${a}`);
      const res2 = await t.wait(woken);
      const tookMs2 = t.nowMs() - t0;
      expect(tookMs2).toBeGreaterThanOrEqual(500);
      expect(tookMs2).toBeLessThan(t.kind === "model" ? 520 : 1_000);
      expect(Number(res2.headers["x-consul-index"])).toBeGreaterThan(m);
      expect((JSON.parse(res2.body) as Entry[])[0]).not.toHaveProperty("Session");
      // index=0 answers at once; bad arguments are 400.
      t0 = t.nowMs();
      expect((await get(t, `/v1/kv/${k}`, { index: "0", wait: "2s" })).status).toBe(200);
      expect(t.nowMs() - t0).toBeLessThan(t.kind === "model" ? 1 : 300);
      expectReply(await get(t, `/v1/kv/${k}`, { index: "1", wait: "1" }), 400, "Invalid wait time");
      expectReply(await get(t, `/v1/kv/${k}`, { index: "abc" }), 400, "Invalid index");
      expectReply(await get(t, `/v1/kv/${k}`, { stale: "", consistent: "" }), 400, "Cannot specify ?stale with ?consistent, conflicting semantics.");
    },
  },
  {
    id: 19,
    title: "health checks: warning keeps the session, critical and deregister invalidate it",
    realWallMs: 3_000,
    async run(t) {
      const c1 = t.unique("c1");
      const register: HttpRequest = { method: "PUT", path: "/v1/agent/check/register", body: JSON.stringify({ Name: c1, TTL: "10m", Status: "passing" }) };
      expect((await t.request(register)).status).toBe(200);
      let a = "";
      // The agent syncs its checks to the catalog asynchronously.
      await eventually(t, async () => {
        const res = await put(t, "/v1/session/create", undefined, JSON.stringify({ NodeChecks: ["serfHealth", c1] }));
        if (res.status === 200) a = (JSON.parse(res.body) as { ID: string }).ID;
        return res.status === 200;
      });
      const k = t.key("c19");
      expectReply(await acquire(t, k, a, "v"), 200, "true");
      expect((await put(t, `/v1/agent/check/warn/${c1}`)).status).toBe(200);
      await t.sleepMs(1_000);
      expect(await sessionInfo(t, a)).toBeDefined();
      expect((await put(t, `/v1/agent/check/fail/${c1}`)).status).toBe(200);
      await eventually(t, async () => (await sessionInfo(t, a)) === undefined);
      expect(await entry(t, k)).not.toHaveProperty("Session");
      await eventually(t, async () => {
        const res = await put(t, "/v1/session/create", undefined, JSON.stringify({ NodeChecks: [c1] }));
        return res.status === 500 && res.body.trim() === `Check '${c1}' is in critical state`;
      });
      expect((await put(t, `/v1/agent/check/pass/${c1}`)).status).toBe(200);
      let b = "";
      await eventually(t, async () => {
        const res = await put(t, "/v1/session/create", undefined, JSON.stringify({ NodeChecks: [c1] }));
        if (res.status === 200) b = (JSON.parse(res.body) as { ID: string }).ID;
        return res.status === 200;
      });
      expect((await put(t, `/v1/agent/check/deregister/${c1}`)).status).toBe(200);
      await eventually(t, async () => (await sessionInfo(t, b)) === undefined);
    },
  },
  {
    id: 20,
    title: "idempotent destroy, unknown info, malformed renew, wrong methods",
    realWallMs: 100,
    async run(t) {
      expectReply(await put(t, `/v1/session/destroy/${unknownId}`), 200, "true");
      const a = await createSession(t);
      expectReply(await put(t, `/v1/session/destroy/${a}`), 200, "true");
      expectReply(await put(t, `/v1/session/destroy/${a}`), 200, "true");
      const info = await get(t, `/v1/session/info/${unknownId}`);
      expectReply(info, 200, "[]");
      expect(Number(info.headers["x-consul-index"])).toBeGreaterThan(0);
      expectReply(await put(t, "/v1/session/renew/foo"), 500, "failed session lookup: index error: UUID must be 36 characters");
      expectReply(await put(t, "/v1/session/destroy/foo"), 500, "failed session lookup: index error: UUID must be 36 characters");
      expectReply(await put(t, `/v1/session/renew/${unknownId}`), 404, `Session id '${unknownId}' not found`);
      const createByGet = await get(t, "/v1/session/create");
      expectReply(createByGet, 405, "method GET not allowed");
      expect(createByGet.headers.allow).toBe("OPTIONS,PUT");
      const infoByPut = await put(t, `/v1/session/info/${unknownId}`);
      expectReply(infoByPut, 405, "method PUT not allowed");
      expect(infoByPut.headers.allow).toBe("OPTIONS,GET");
    },
  },
];
