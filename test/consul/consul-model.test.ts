import { describe, expect, it } from "vitest";
import { ConsulModel } from "../../sim/consul/consul-model.js";
import { World } from "../../sim/world.js";
import { ModelTarget } from "./consul-target.js";
import { leaderUnreachableText } from "../../sim/consul/leader-state.js";
import { createSession, entry, expectReply, get, put, sessionInfo } from "./conformance-cases.js";

function expiries(t: ModelTarget): { session: string; atMs: number }[] {
  return t.world.trace.ofKind("consul.session.expire").map((r) => ({ session: String(r.data?.session), atMs: r.atMs }));
}

describe("the Consul model's timers", () => {
  it("expires a session 2×TTL after its last renew (measured: 20.03s; renew at 15s → 35.1s)", async () => {
    const t = new ModelTarget("ttl");
    const a = await createSession(t, { TTL: "10s" });
    const b = await createSession(t, { TTL: "10s" });
    await t.sleepMs(15_000);
    expect((await put(t, `/v1/session/renew/${b}`)).status).toBe(200);
    await t.sleepMs(30_000);
    expect(expiries(t)).toEqual([
      { session: a, atMs: 20_000 },
      { session: b, atMs: 35_000 },
    ]);
  });

  it("re-arms every TTL timer with a fresh 2×TTL when a new leader takes over (case 21, model half)", async () => {
    // Measured on 3 real servers: TTL 30s, created 05:54:46.1, leader killed 05:55:06.1, new leader
    // 05:55:25.6, expiry 05:56:25.6: exactly 60s after the new leader, 99.5s after creation.
    const t = new ModelTarget("failover");
    const s = await createSession(t, { TTL: "30s" });
    await t.sleepMs(20_000);
    t.model.failover({ unavailableMs: 19_500 });
    await t.sleepMs(100_000);
    expect(expiries(t)).toEqual([{ session: s, atMs: 20_000 + 19_500 + 60_000 }]);
  });

  it("keeps lock-delays across a failover, until their original expiry", async () => {
    const t = new ModelTarget("lock-delay-failover");
    const h = await createSession(t, { LockDelay: "60s" });
    const w = await createSession(t);
    const k = t.key("k");
    await put(t, `/v1/kv/${k}`, { acquire: h });
    await put(t, `/v1/session/destroy/${h}`);
    await t.sleepMs(2_000);
    t.model.failover({ unavailableMs: 11_000 });
    await t.sleepMs(12_000);
    expectReply(await put(t, `/v1/kv/${k}`, { acquire: w }), 200, "false");
    await t.sleepMs(60_000 - 14_000 - 100);
    expectReply(await put(t, `/v1/kv/${k}`, { acquire: w }), 200, "false");
    await t.sleepMs(200);
    expectReply(await put(t, `/v1/kv/${k}`, { acquire: w }), 200, "true");
  });

  it("fails requests at once while the servers still point at the dead leader, then holds them until the election or RPCHoldTimeout (7s)", async () => {
    // Measured through a client agent of a 1.8.7 cluster (leader SIGKILLed): every request failed
    // at once with 500 for the first 1.5-2.4 s of 3.0-4.2 s without a leader, then waited for the
    // new leader and succeeded.
    const t = new ModelTarget("leaderless");
    const a = await createSession(t);
    t.model.failover({ unavailableMs: 3_000 });
    const t0 = t.nowMs();
    expectReply(await put(t, `/v1/session/renew/${a}`), 500, leaderUnreachableText);
    expectReply(await get(t, `/v1/session/info/${a}`), 500, leaderUnreachableText);
    expect(t.nowMs() - t0).toBeLessThan(100);
    await t.sleepMs(1_500 - (t.nowMs() - t0));
    expect(await sessionInfo(t, a)).toBeDefined();
    expect(t.nowMs() - t0).toBe(3_000);
    t.model.failover({ unavailableMs: 20_000 });
    const t1 = t.nowMs();
    await t.sleepMs(10_000);
    expectReply(await get(t, `/v1/session/info/${a}`), 500, "No cluster leader");
    expect(t.nowMs() - t1).toBe(17_000);
  });

  it("fails blocking queries in flight when the leader is lost", async () => {
    const t = new ModelTarget("blocking-failover");
    const a = await createSession(t);
    const k = t.key("k");
    await put(t, `/v1/kv/${k}`, { acquire: a });
    const m = (await entry(t, k))!.ModifyIndex;
    const blocked = t.send({ method: "GET", path: `/v1/kv/${k}`, query: { index: String(m), consistent: "" } });
    await t.sleepMs(1_000);
    t.model.failover({ unavailableMs: 2_000 });
    expectReply(await t.wait(blocked), 500, "rpc error making call: EOF");
  });

  it("draws the blocking-query jitter from the world's seed: same seed, same return time", async () => {
    const returnTimes = async (seed: string): Promise<number[]> => {
      const t = new ModelTarget(seed);
      const a = await createSession(t);
      const k = t.key("k");
      await put(t, `/v1/kv/${k}`, { acquire: a });
      const m = (await entry(t, k))!.ModifyIndex;
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = t.nowMs();
        await get(t, `/v1/kv/${k}`, { index: String(m), wait: "16s" });
        times.push(t.nowMs() - t0);
      }
      return times;
    };
    const a = await returnTimes("jitter-a");
    expect(await returnTimes("jitter-a")).toEqual(a);
    for (const ms of a) {
      expect(ms).toBeGreaterThanOrEqual(16_000);
      expect(ms).toBeLessThan(17_000);
    }
    expect(await returnTimes("jitter-b")).not.toEqual(a);
  });
});

describe("session create bodies are remembered across models, keyed by what the answer depends on", () => {
  // Every run builds a model; accepted create bodies are kept process-wide (session-endpoints.ts).
  // A model with a lower SessionTTLMin must not make a default model accept the same body.
  it("a 5s TTL accepted under SessionTTLMin 1s is still refused under the default 10s", () => {
    const body = JSON.stringify({ TTL: "5s" });
    const low = new ConsulModel(new World({ seed: "ttl-min-low", traceSteps: false }), { sessionTtlMinMs: 1_000 });
    const accepted = low.handle({ method: "PUT", path: "/v1/session/create", body });
    expect(accepted).toMatchObject({ status: 200 });
    const standard = new ConsulModel(new World({ seed: "ttl-min-default", traceSteps: false }));
    const refused = standard.handle({ method: "PUT", path: "/v1/session/create", body });
    expect(refused).toMatchObject({ status: 500, body: "Invalid Session TTL '5000000000', must be between [10s=24h0m0s]" });
    expect(low.handle({ method: "PUT", path: "/v1/session/create", body })).toMatchObject({ status: 200 });
  });
});
