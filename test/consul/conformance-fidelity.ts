// Conformance cases for the areas where the model and a real 1.8.7 agent used to answer
// differently (issue 12): written once, run on the model and on a real agent with the same
// assertions (conformance-model.test.ts, conformance-real.test.ts). Ids start at 101.
import { expect } from "vitest";
import type { HttpResponse } from "../../sim/consul/http-types.js";
import { createSession, del, entry, expectReply, get, put, sessionInfo, type ConformanceCase } from "./conformance-cases.js";
import type { ConsulTarget } from "./consul-target.js";

/** A key or id as both ConsulPort adapters put it in a path (the `consul` client's encoding). */
const enc = encodeURIComponent;
const kvPath = (key: string): string => `/v1/kv/${enc(key)}`;

/** Status, body and the headers that tell the answers apart. */
function shape(res: HttpResponse): { status: number; body: string; contentType: string | undefined; location: string | undefined; allow: string | undefined } {
  return { status: res.status, body: res.body, contentType: res.headers["content-type"], location: res.headers.location, allow: res.headers.allow };
}

/** Repeats `probe` until it returns true (a real agent syncs its checks to the catalog asynchronously). */
async function eventually(t: ConsulTarget, probe: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const t0 = t.nowMs();
  while (!(await probe())) {
    if (t.nowMs() - t0 > timeoutMs) throw new Error(`condition not met within ${timeoutMs}ms`);
    await t.sleepMs(100);
  }
}

/** Registers a passing TTL check and waits until a session can name it. */
async function passingCheck(t: ConsulTarget, name: string, ttl = "10m"): Promise<string> {
  const id = t.unique(name);
  const res = await put(t, "/v1/agent/check/register", undefined, JSON.stringify({ Name: id, TTL: ttl, Status: "passing" }));
  expect(res.status, res.body).toBe(200);
  await eventually(t, async () => {
    const probe = await put(t, "/v1/session/create", undefined, JSON.stringify({ NodeChecks: [id] }));
    if (probe.status === 200) await put(t, `/v1/session/destroy/${(JSON.parse(probe.body) as { ID: string }).ID}`);
    return probe.status === 200;
  });
  return id;
}

/** The X-Consul-Index of an answer. */
const indexOf = (res: HttpResponse): number => Number(res.headers["x-consul-index"]);

/**
 * Starts a blocking read at the index `path` answers now, retrying while the first run answers at
 * once (another case's write moved a table index in between, on a shared real agent).
 */
async function startBlocking(t: ConsulTarget, path: string, query: Record<string, string>, waitS: number): Promise<{ index: number; pending: ReturnType<ConsulTarget["send"]>; t0: number }> {
  for (let attempt = 0; ; attempt++) {
    const index = indexOf(await get(t, path, query));
    const t0 = t.nowMs();
    const pending = t.send({ method: "GET", path, query: { ...query, index: String(index), wait: `${waitS}s` } });
    await t.sleepMs(300);
    if (!pending.settled || attempt >= 5) return { index, pending, t0 };
  }
}

/** Whether a blocking read answered before its wait ended, and the index it carried. */
async function outcome(t: ConsulTarget, blocked: { pending: ReturnType<ConsulTarget["send"]>; t0: number }, waitS: number): Promise<{ early: boolean; index: number; res: HttpResponse }> {
  const res = await t.wait(blocked.pending);
  return { early: t.nowMs() - blocked.t0 < waitS * 1000 - 200, index: indexOf(res), res };
}

const tooLarge = (bytes: number): string =>
  `Request body(${bytes} bytes) too large, max size: 524288 bytes. See https://www.consul.io/docs/agent/options.html#kv_max_value_size.`;

export const fidelityCases: ConformanceCase[] = [
  {
    id: 101,
    title: "values over 512 KiB: 413 and nothing written",
    realWallMs: 500,
    async run(t) {
      const k = t.key("c101");
      const limit = 524_288;
      expectReply(await put(t, kvPath(k), undefined, "a".repeat(limit)), 200, "true");
      const over = await put(t, kvPath(k), undefined, "b".repeat(limit + 1));
      expect(shape(over)).toEqual({ status: 413, body: tooLarge(limit + 1), contentType: "text/plain; charset=utf-8", location: undefined, allow: undefined });
      // The limit counts bytes: 262,145 two-byte characters are 524,290 bytes.
      expectReply(await put(t, kvPath(k), { cas: "0" }, "é".repeat(262_145)), 413, tooLarge(524_290));
      const a = await createSession(t);
      expectReply(await put(t, kvPath(t.key("c101b")), { acquire: a }, "c".repeat(limit + 1)), 413, tooLarge(limit + 1));
      expect(await entry(t, t.key("c101b"))).toBeUndefined();
      // Argument errors come first: a bad flags value is 500, conflicting flags 400.
      expectReply(await put(t, kvPath(k), { flags: "x" }, "d".repeat(limit + 1)), 500, 'strconv.ParseUint: parsing "x": invalid syntax');
      expectReply(await put(t, kvPath(k), { acquire: a, release: a }, "d".repeat(limit + 1)), 400, `Conflicting flags: acquire=${a}&release=${a}`);
      const e = (await entry(t, k))!;
      expect(Buffer.from(e.Value!, "base64").toString()).toBe("a".repeat(limit));
    },
  },
  {
    id: 102,
    title: "key escaping: decoded paths, 301 for unclean ones, 400 for bad escapes and empty keys",
    realWallMs: 500,
    async run(t) {
      const base = t.key("c102/");
      const odd = ["a%b", "a b", "a?b", "a#b", "é", "a+b", "a%2Fb", "a..b", "x/y"];
      for (const name of odd) expectReply(await put(t, kvPath(`${base}${name}`), undefined, name), 200, "true");
      const list = await get(t, kvPath(base), { recurse: "" });
      const keys = (JSON.parse(list.body) as { Key: string }[]).map((e) => e.Key.slice(base.length));
      expect(keys).toEqual([...odd].sort((x, y) => (Buffer.from(x) < Buffer.from(y) ? -1 : 1)));
      const pct = await get(t, kvPath(`${base}a%b`));
      expect((JSON.parse(pct.body) as { Value: string }[])[0]?.Value).toBe(Buffer.from("a%b").toString("base64"));
      // `//`, a leading `/` and `.` segments are cleaned by Go's ServeMux: 301 to the clean path.
      const doubled = await put(t, kvPath(`${base}a//b`), { cas: "0" }, "v");
      expect(shape(doubled)).toMatchObject({ status: 301, body: "", location: `/v1/kv/${base}a/b?cas=0` });
      const doubledGet = await get(t, kvPath(`${base}a//b`));
      expect(shape(doubledGet)).toEqual({
        status: 301,
        body: `<a href="/v1/kv/${base}a/b">Moved Permanently</a>.\n\n`,
        contentType: "text/html; charset=utf-8",
        location: `/v1/kv/${base}a/b`,
        allow: undefined,
      });
      expect(shape(await del(t, kvPath(`/${base}lead`)))).toMatchObject({ status: 301, location: `/v1/kv/${base}lead` });
      expect(shape(await put(t, kvPath(`${base}x/./y`)))).toMatchObject({ status: 301, location: `/v1/kv/${base}x/y` });
      expect(shape(await put(t, `/v1/kv/${enc(base)}a%zzb`))).toEqual({ status: 400, body: "400 Bad Request", contentType: "text/plain; charset=utf-8", location: undefined, allow: undefined });
      expect(await entry(t, `${base}a/b`)).toBeUndefined();
      // An empty key: only a recursive read or delete may omit it.
      for (const res of [await put(t, "/v1/kv/", undefined, "v"), await get(t, "/v1/kv/"), await del(t, "/v1/kv/"), await del(t, "/v1/kv/", { cas: "0" })]) {
        expectReply(res, 400, "Missing key name");
      }
      expect(shape(await get(t, "/v1/kv"))).toMatchObject({ status: 301, location: "/v1/kv/" });
    },
  },
  {
    id: 103,
    title: "error shapes: 404 is bare, 405 names the allowed methods",
    realWallMs: 100,
    async run(t) {
      for (const path of ["/v1/nothing", "/v1/session", "/v1/session/", "/v1/session/list/x"]) {
        const res = await get(t, path);
        expect({ status: res.status, body: res.body, contentType: res.headers["content-type"] }, path).toEqual({ status: 404, body: "", contentType: undefined });
      }
      const cases: [string, string, string][] = [
        ["GET", "/v1/session/renew/x", "OPTIONS,PUT"],
        ["DELETE", "/v1/session/info/x", "OPTIONS,GET"],
        ["PUT", "/v1/status/leader", "OPTIONS,GET"],
        ["DELETE", "/v1/session/create", "OPTIONS,PUT"],
      ];
      for (const [method, path, allow] of cases) {
        const res = await t.request({ method: method as "GET", path });
        expect(shape(res), `${method} ${path}`).toEqual({ status: 405, body: `method ${method} not allowed`, contentType: "text/plain; charset=utf-8", location: undefined, allow });
      }
      expect(shape(await put(t, "/v1/session/destroy"))).toEqual({ status: 301, body: "", contentType: undefined, location: "/v1/session/destroy/", allow: undefined });
    },
  },
  {
    id: 104,
    title: "DELETE ?recurse&cas is refused: conflicting flags",
    realWallMs: 100,
    async run(t) {
      const k = t.key("c104/a");
      await put(t, kvPath(k), undefined, "v");
      expectReply(await del(t, kvPath(t.key("c104/")), { recurse: "", cas: "5" }), 400, "Conflicting flags: cas=5&recurse=");
      expectReply(await del(t, kvPath(k), { cas: "abc", recurse: "" }), 400, "Conflicting flags: cas=abc&recurse=");
      expect(await entry(t, k)).toBeDefined();
      expect(await sessionInfo(t, "00000000-0000-0000-0000-000000000000")).toBeUndefined();
    },
  },
  {
    id: 105,
    title: "overflowing durations for TTL and LockDelay",
    realWallMs: 300,
    async run(t) {
      const create = (body: unknown): Promise<HttpResponse> => put(t, "/v1/session/create", undefined, JSON.stringify(body));
      for (const ttl of ["9999999999h", "2562048h", "-9999999999h", "9223372036854775808ns", "99999999999999999999s"]) {
        expectReply(await create({ TTL: ttl }), 500, `Session TTL '${ttl}' invalid: time: invalid duration "${ttl}"`);
      }
      expectReply(await create({ TTL: "2562047h" }), 500, "Invalid Session TTL '9223369200000000000', must be between [10s=24h0m0s]");
      expectReply(await create({ TTL: "9223372036854775807ns" }), 500, "Invalid Session TTL '9223372036854775807', must be between [10s=24h0m0s]");
      expectReply(await create({ TTL: "1e3s" }), 500, 'Session TTL \'1e3s\' invalid: time: unknown unit "e" in duration "1e3s"');
      expectReply(await create({ TTL: "1.5.5s" }), 500, 'Session TTL \'1.5.5s\' invalid: time: missing unit in duration "1.5.5s"');
      for (const lockDelay of ["9999999999h", "2562048h"]) {
        expectReply(await create({ LockDelay: lockDelay }), 400, `Request decode failed: time: invalid duration "${lockDelay}"`);
      }
      // Numbers are float64 nanoseconds; below 1000 they are multiplied by 1s in wrapping int64.
      const stored: [string, number][] = [
        ["9223372036854775807", 0],
        ["1e30", 0],
        ["99999999999999999999", 0],
        ["1.5", 1e9],
        ["999.9", 999e9],
        ["-1", -1e9],
        ["1e3", 1000],
        ['"9223372036854775807ns"', Number(9223372036854775807n)],
        ['"-2562047h"', -3943811543270948864],
        ["true", 0],
      ];
      for (const [lockDelay, ns] of stored) {
        const res = await put(t, "/v1/session/create", undefined, `{"LockDelay":${lockDelay}}`);
        expect(res.status, `LockDelay ${lockDelay}: ${res.body}`).toBe(200);
        const info = await sessionInfo(t, (JSON.parse(res.body) as { ID: string }).ID);
        expect(info?.LockDelay, `LockDelay ${lockDelay}`).toBe(ns);
      }
      expectReply(await get(t, kvPath(t.key("c105")), { index: "1", wait: "9999999999h" }), 400, "Invalid wait time");
    },
  },
  {
    id: 106,
    title: "session check defaults: Checks, NodeChecks, ServiceChecks, null and []",
    realWallMs: 1_500,
    async run(t) {
      const c1 = await passingCheck(t, "c106");
      const cases: [unknown, Record<string, unknown>][] = [
        [{}, { NodeChecks: ["serfHealth"], ServiceChecks: null }],
        [{ Checks: null }, { NodeChecks: [], ServiceChecks: null }],
        [{ NodeChecks: null }, { NodeChecks: null, ServiceChecks: null }],
        [{ Checks: [] }, { NodeChecks: [], ServiceChecks: null }],
        [{ NodeChecks: [] }, { NodeChecks: [], ServiceChecks: null }],
        [{ Checks: null, NodeChecks: null }, { NodeChecks: [], ServiceChecks: null }],
        [{ Checks: ["serfHealth"], NodeChecks: [] }, { NodeChecks: [], ServiceChecks: null }],
        [{ Checks: [c1] }, { NodeChecks: ["serfHealth"], ServiceChecks: null, Checks: [c1] }],
        [{ Checks: [c1, "serfHealth"], NodeChecks: ["serfHealth"] }, { NodeChecks: ["serfHealth"], ServiceChecks: null, Checks: [c1, "serfHealth"] }],
        [{ Checks: ["serfHealth"], NodeChecks: [c1] }, { NodeChecks: [c1], ServiceChecks: null }],
        [{ Checks: [c1], NodeChecks: null }, { NodeChecks: null, ServiceChecks: null }],
        [{ Checks: [c1], NodeChecks: [] }, { NodeChecks: [], ServiceChecks: null }],
        [{ Checks: [], NodeChecks: [c1] }, { NodeChecks: [], ServiceChecks: null }],
        [{ NodeChecks: [c1, c1] }, { NodeChecks: [c1, c1], ServiceChecks: null }],
        [{ nodechecks: [c1] }, { NodeChecks: [c1], ServiceChecks: null }],
        [{ ServiceChecks: [] }, { NodeChecks: ["serfHealth"], ServiceChecks: [] }],
        [{ ServiceChecks: null }, { NodeChecks: ["serfHealth"], ServiceChecks: null }],
        [{ ServiceChecks: [{ ID: c1 }] }, { NodeChecks: ["serfHealth"], ServiceChecks: [{ ID: c1, Namespace: "" }] }],
        [{ Checks: [], ServiceChecks: [] }, { NodeChecks: [], ServiceChecks: [] }],
      ];
      for (const [body, want] of cases) {
        const id = await createSession(t, body);
        const info = (await sessionInfo(t, id))!;
        const got = { NodeChecks: info.NodeChecks, ServiceChecks: info.ServiceChecks, ...("Checks" in info ? { Checks: info.Checks } : {}) };
        expect(got, JSON.stringify(body)).toEqual(want);
        await put(t, `/v1/session/destroy/${id}`);
      }
      expectReply(await put(t, "/v1/session/create", undefined, JSON.stringify({ Checks: ["nope"] })), 500, "Missing check 'nope' registration");
      expectReply(await put(t, "/v1/session/create", undefined, JSON.stringify({ ServiceChecks: [{}] })), 500, "Missing check '' registration");
      // A session that names a check only in the deprecated Checks still depends on it.
      const k = t.key("c106");
      const held = await createSession(t, { Checks: [c1] });
      expectReply(await put(t, kvPath(k), { acquire: held }, "v"), 200, "true");
      expect((await put(t, `/v1/agent/check/fail/${c1}`)).status).toBe(200);
      await eventually(t, async () => (await sessionInfo(t, held)) === undefined);
      expect(await entry(t, k)).not.toHaveProperty("Session");
      expect((await put(t, `/v1/agent/check/deregister/${c1}`)).status).toBe(200);
    },
  },
  {
    id: 107,
    title: "session ids match case-insensitively; a key's holder is compared as written",
    realWallMs: 300,
    async run(t) {
      const s = await createSession(t, { TTL: "30s", LockDelay: "0s" });
      const u = s.toUpperCase();
      expect((await sessionInfo(t, u))?.ID).toBe(s);
      const renewed = await put(t, `/v1/session/renew/${u}`);
      expect(renewed.status).toBe(200);
      expect((JSON.parse(renewed.body) as { ID: string }[])[0]?.ID).toBe(s);
      const [k, k2] = [t.key("c107"), t.key("c107b")];
      expectReply(await put(t, kvPath(k), { acquire: u }, "v"), 200, "true");
      expect((await entry(t, k))?.Session).toBe(u);
      expectReply(await put(t, kvPath(k), { acquire: s }, "v2"), 200, "false");
      expectReply(await put(t, kvPath(k), { release: s }), 200, "false");
      expectReply(await put(t, kvPath(k), { release: u }), 200, "true");
      expectReply(await put(t, kvPath(k2), { acquire: u }, "v"), 200, "true");
      expectReply(await put(t, `/v1/session/destroy/${u}`), 200, "true");
      expect(await sessionInfo(t, s)).toBeUndefined();
      expect(await entry(t, k2)).not.toHaveProperty("Session");
      expectReply(await put(t, `/v1/session/renew/${u}`), 404, `Session id '${u}' not found`);
      expectReply(await put(t, kvPath(k), { acquire: u }), 500, `invalid session "${u}"`);
    },
  },
  {
    id: 108,
    title: "blocking reads on a missing key wake on writes through the radix node their lookup stopped at",
    realWallMs: 6_000,
    async run(t) {
      const base = t.key("c108/");
      for (const k of ["p/q/a1", "p/q/a2", "z/x"]) await put(t, kvPath(`${base}${k}`), undefined, "v");
      // The lookup of p/q/missing stops at the node p/q/a: a write elsewhere does not close it.
      let blocked = await startBlocking(t, kvPath(`${base}p/q/missing`), {}, 2);
      expectReply(await put(t, kvPath(`${base}z/other`), undefined, "v"), 200, "true");
      let seen = await outcome(t, blocked, 2);
      expect({ early: seen.early, index: seen.index, status: seen.res.status }).toEqual({ early: false, index: blocked.index, status: 404 });
      // A write under p/q/ passes through it: the read re-runs, the table index moved, it answers.
      blocked = await startBlocking(t, kvPath(`${base}p/q/missing`), {}, 5);
      await put(t, kvPath(`${base}p/q/a3`), undefined, "v");
      seen = await outcome(t, blocked, 5);
      expect({ early: seen.early, status: seen.res.status }).toEqual({ early: true, status: 404 });
      expect(seen.index).toBeGreaterThan(blocked.index);
      // No key of this prefix starts with m: the lookup stops at the prefix's node, which any
      // write under the prefix closes.
      blocked = await startBlocking(t, kvPath(`${base}m`), {}, 5);
      await put(t, kvPath(`${base}z/y`), undefined, "v");
      seen = await outcome(t, blocked, 5);
      expect(seen.early).toBe(true);
      // A present key's read watches its own leaf only.
      blocked = await startBlocking(t, kvPath(`${base}p/q/a1`), {}, 2);
      await put(t, kvPath(`${base}p/q/a1x`), undefined, "v");
      await put(t, kvPath(`${base}p/q/a2`), undefined, "w");
      seen = await outcome(t, blocked, 2);
      expect({ early: seen.early, index: seen.index }).toEqual({ early: false, index: blocked.index });
    },
  },
  {
    id: 109,
    title: "blocking session/info and session/list",
    realWallMs: 6_000,
    async run(t) {
      const s = await createSession(t, { TTL: "60s" });
      let blocked = await startBlocking(t, `/v1/session/info/${s}`, {}, 2);
      const other = await createSession(t);
      expect((await put(t, `/v1/session/renew/${s}`)).status).toBe(200);
      let seen = await outcome(t, blocked, 2);
      expect({ early: seen.early, index: seen.index }).toEqual({ early: false, index: blocked.index });
      expect((JSON.parse(seen.res.body) as { ID: string }[])[0]?.ID).toBe(s);
      blocked = await startBlocking(t, `/v1/session/info/${s.toUpperCase()}`, {}, 5);
      await put(t, `/v1/session/destroy/${s}`);
      seen = await outcome(t, blocked, 5);
      expect({ early: seen.early, body: seen.res.body.trim() }).toEqual({ early: true, body: "[]" });
      expect(seen.index).toBeGreaterThan(blocked.index);
      blocked = await startBlocking(t, "/v1/session/list", {}, 5);
      const third = await createSession(t);
      seen = await outcome(t, blocked, 5);
      expect(seen.early).toBe(true);
      expect(seen.index).toBeGreaterThan(blocked.index);
      expect((JSON.parse(seen.res.body) as { ID: string }[]).map((x) => x.ID)).toEqual(expect.arrayContaining([other, third]));
      expectReply(await get(t, `/v1/session/info/${other}`, { index: "abc" }), 400, "Invalid index");
      expectReply(await get(t, "/v1/session/list", { index: "1", wait: "1" }), 400, "Invalid wait time");
    },
  },
  {
    id: 110,
    title: "the index of a recursive read: entries and tombstones under the prefix",
    realWallMs: 300,
    async run(t) {
      const base = t.key("c110/");
      const list = (prefix: string): Promise<HttpResponse> => get(t, kvPath(`${base}${prefix}`), { recurse: "" });
      await put(t, kvPath(`${base}r/a`), undefined, "v");
      await put(t, kvPath(`${base}r/b`), undefined, "v");
      const [a, b] = [(await entry(t, `${base}r/a`))!, (await entry(t, `${base}r/b`))!];
      expect(indexOf(await list("r/"))).toBe(b.ModifyIndex);
      expect(indexOf(await list("r/a"))).toBe(a.ModifyIndex);
      expectReply(await del(t, kvPath(`${base}r/b`)), 200, "true");
      const afterDelete = indexOf(await list("r/"));
      expect(afterDelete).toBeGreaterThan(b.ModifyIndex);
      await put(t, kvPath(`${base}q/x`), undefined, "v");
      const q = (await entry(t, `${base}q/x`))!;
      expect(indexOf(await list("r/")), "a write elsewhere leaves it").toBe(afterDelete);
      expect(indexOf(await list("q/"))).toBe(q.ModifyIndex);
      const none = await list("n/");
      expect(none.status).toBe(404);
      expect(indexOf(none), "nothing under the prefix: the tables' index").toBeGreaterThanOrEqual(q.ModifyIndex);
      // A tree delete leaves one tombstone, for its prefix.
      expectReply(await del(t, kvPath(`${base}r`), { recurse: "" }), 200, "true");
      expect(indexOf(await list("r/")), "the tombstone of prefix r is not under r/").toBe(afterDelete);
      expect(indexOf(await list("r"))).toBeGreaterThan(afterDelete);
      expect(indexOf(await list("r"))).toBeGreaterThan(q.ModifyIndex);
    },
  },
  {
    id: 111,
    title: "a session linked to a TTL check that nobody updates is invalidated when the check goes critical",
    realWallMs: 14_000,
    async run(t) {
      const check = t.unique("c111");
      const register = { Name: check, TTL: "10s", Status: "passing" };
      expect((await put(t, "/v1/agent/check/register", undefined, JSON.stringify(register))).status).toBe(200);
      const t0 = t.nowMs();
      let s = "";
      await eventually(t, async () => {
        const res = await put(t, "/v1/session/create", undefined, JSON.stringify({ NodeChecks: ["serfHealth", check] }));
        if (res.status === 200) s = (JSON.parse(res.body) as { ID: string }).ID;
        return res.status === 200;
      });
      const k = t.key("c111");
      expectReply(await put(t, kvPath(k), { acquire: s }, "v"), 200, "true");
      // A pass 4s in restarts the TTL: the check goes critical 14s after registration, not 10s.
      const passAt = 4_000;
      await t.sleepMs(t0 + passAt - t.nowMs());
      expect((await put(t, `/v1/agent/check/pass/${check}`)).status).toBe(200);
      await t.sleepMs(t0 + 11_000 - t.nowMs());
      expect(await sessionInfo(t, s), "still alive 11s after registration").toBeDefined();
      await eventually(t, async () => (await sessionInfo(t, s)) === undefined, 5_000);
      expect(t.nowMs() - t0).toBeGreaterThanOrEqual(passAt + 10_000);
      expect(await entry(t, k)).not.toHaveProperty("Session");
      expectReply(await put(t, "/v1/session/create", undefined, JSON.stringify({ NodeChecks: [check] })), 500, `Check '${check}' is in critical state`);
      expect((await put(t, `/v1/agent/check/deregister/${check}`)).status).toBe(200);
    },
  },
  {
    id: 112,
    title: "agent check endpoints: bare 200s, updating an unknown check is a 500",
    realWallMs: 200,
    async run(t) {
      const check = t.unique("c112");
      const bare = { status: 200, body: "", contentType: undefined, location: undefined, allow: undefined };
      expect(shape(await put(t, "/v1/agent/check/register", undefined, JSON.stringify({ Name: check, TTL: "10m", Status: "passing" })))).toEqual(bare);
      expect(shape(await put(t, `/v1/agent/check/warn/${check}`))).toEqual(bare);
      expect(shape(await put(t, `/v1/agent/check/deregister/${check}`))).toEqual(bare);
      expect(shape(await put(t, `/v1/agent/check/deregister/${check}`)), "deregistering twice").toEqual(bare);
      expectReply(await put(t, `/v1/agent/check/pass/${check}`), 500, `CheckID "${check}" does not have associated TTL`);
    },
  },
];
