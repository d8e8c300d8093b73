import { describe, expect, it } from "vitest";
import { rateLimitBodies, writeOp } from "../../sim/consul/write-rate-limit.js";
import { leaderUnreachableText } from "../../sim/consul/leader-state.js";
import { loadScenario, parseScenario } from "../../sim/scenario/load-scenario.js";
import { runScenario } from "../../sim/scenario/run-scenario.js";
import type { Fault } from "../../sim/scenario/scenario-schema.js";
import type { TraceRecord } from "../../src/trace-events.js";
import { ModelTarget } from "../consul/consul-target.js";
import { createSession, entry, expectReply, get, put } from "../consul/conformance-cases.js";

const kinds = (records: readonly TraceRecord[], prefix: string): string[] => records.filter((r) => r.kind.startsWith(prefix)).map((r) => r.kind);

describe("rate-limit in the simulator", () => {
  it("refuses writes with Consul 1.15+'s status and body, never reads, and only while on", async () => {
    const t = new ModelTarget("rate-limit-all");
    const a = await createSession(t);
    const k = t.key("k");
    expectReply(await put(t, `/v1/kv/${k}`, { acquire: a }), 200, "true");
    t.model.rateLimit({ fraction: 1, status: 503 });
    expectReply(await put(t, `/v1/session/renew/${a}`), 503, rateLimitBodies[503]);
    expectReply(await put(t, `/v1/kv/${k}`, { release: a }), 503, rateLimitBodies[503]);
    expect((await entry(t, k))?.Session, "a read passes, and the refused release changed nothing").toBe(a);
    expect((await get(t, `/v1/session/info/${a}`)).status).toBe(200);
    t.model.unrateLimit();
    expectReply(await put(t, `/v1/kv/${k}`, { release: a }), 200, "true");
    const limited = t.world.trace.ofKind("consul.rate-limited").map((r) => r.data);
    expect(limited).toEqual([
      { op: "session.renew", status: 503 },
      { op: "kv.release", status: 503 },
    ]);
    expect(kinds(t.world.trace.records, "consul.rate-limit")).toEqual(["consul.rate-limit.on", "consul.rate-limited", "consul.rate-limited", "consul.rate-limit.off"]);
  });

  it("refuses a seeded fraction: the same seed refuses the same writes, another seed others", async () => {
    const refusals = async (seed: string): Promise<boolean[]> => {
      const t = new ModelTarget(seed);
      t.model.rateLimit({ fraction: 0.3, status: 429 });
      const out: boolean[] = [];
      for (let i = 0; i < 200; i++) out.push((await put(t, `/v1/kv/${t.key(`k${i}`)}`)).status === 429);
      return out;
    };
    const a = await refusals("fraction-a");
    expect(await refusals("fraction-a")).toEqual(a);
    expect(await refusals("fraction-b")).not.toEqual(a);
    const share = a.filter(Boolean).length / a.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.4);
  });

  it("names writes as the ConsulPort does", () => {
    expect(writeOp({ method: "PUT", path: "/v1/kv/a/b", query: { acquire: "s" } })).toBe("kv.acquire");
    expect(writeOp({ method: "PUT", path: "/v1/kv/a/b", query: { release: "s" } })).toBe("kv.release");
    expect(writeOp({ method: "PUT", path: "/v1/kv/a/b", query: { cas: "0" } })).toBe("kv.put");
    expect(writeOp({ method: "DELETE", path: "/v1/kv/a/b" })).toBe("kv.delete");
    expect(writeOp({ method: "PUT", path: "/v1/session/create" })).toBe("session.create");
    expect(writeOp({ method: "PUT", path: "/v1/session/renew/x" })).toBe("session.renew");
    expect(writeOp({ method: "PUT", path: "/v1/session/destroy/x" })).toBe("session.destroy");
    expect(writeOp({ method: "PUT", path: "/v1/txn", body: JSON.stringify([{ KV: { Verb: "set", Key: "a", Value: null } }]) })).toBe("txn");
    expect(writeOp({ method: "GET", path: "/v1/kv/a/b" })).toBeUndefined();
  });

  it("rate-limit-during-task: the holder's renewals are refused, its session expires; naive runs on, consul-api-lock and fenced stop", async () => {
    const scenario = await loadScenario("scenarios/rate-limit-during-task.json");
    const naive = await runScenario(scenario, { worker: "naive" });
    const refusedOps = new Set(naive.fleet.world.trace.ofKind("consul.rate-limited").map((r) => r.data.op));
    expect([...refusedOps].sort()).toEqual(["session.create", "session.renew"]);
    expect(naive.fleet.world.trace.ofKind("consul.session.expire")).toHaveLength(1);
    expect(naive.verdicts.atMostOnce).toBe("violated");
    const apiLock = await runScenario(scenario, { worker: "consul-api-lock" });
    const renewEnd = apiLock.fleet.world.trace.ofKind("api-lock.renew.end").find((r) => r.host === "w1" && r.data.error !== null);
    expect(renewEnd?.data.error, "RenewPeriodic gives up only after TTL of failed retries").toContain("Consul answered 429: rate limit exceeded");
    const abort = apiLock.fleet.world.trace.ofKind("task.abort")[0]!;
    expect(abort.data.reason, "the monitor (reads are not limited) sees the key released").toContain("the lock key was released");
    const fenced = await runScenario(scenario, { worker: "fenced" });
    expect(fenced.fleet.world.trace.ofKind("task.abort")[0]?.data.reason).toContain("LeaseExpiredError");
    expect(fenced.fleet.world.trace.ofKind("lock.lost").some((r) => r.data.reason.includes("404")), "a 429 is not taken for a lost session").toBe(false);
  });
});

describe("leader-transfer in the simulator", () => {
  it("fails nothing: requests wait for the new leader; a blocking read on the old one answers its old result when it exits", async () => {
    const t = new ModelTarget("transfer");
    const a = await createSession(t, { TTL: "30s" });
    const k = t.key("k");
    await put(t, `/v1/kv/${k}`, { acquire: a });
    const m = (await entry(t, k))!.ModifyIndex;
    const blocked = t.send({ method: "GET", path: `/v1/kv/${k}`, query: { index: String(m), consistent: "" } });
    await t.sleepMs(1_000);
    t.model.transferLeader({ unavailableMs: 3_000 });
    const t0 = t.nowMs();
    const renew = await put(t, `/v1/session/renew/${a}`);
    expect(renew.status).toBe(200);
    expect(t.nowMs() - t0, "held until the new leader").toBe(3_000);
    expect(renew.body).not.toContain(leaderUnreachableText);
    // A write after the election wakes nobody on the old leader: the read answers when it exits.
    await put(t, `/v1/kv/${k}`, { release: a });
    const answer = await t.wait(blocked);
    expect(answer.status).toBe(200);
    expect(t.nowMs() - t0).toBe(13_500);
    expect((JSON.parse(answer.body) as { Session?: string }[])[0]?.Session, "its old result").toBe(a);
  });

  it("re-arms every TTL timer when the new leader takes over, as a failover does", async () => {
    const t = new ModelTarget("transfer-ttl");
    const s = await createSession(t, { TTL: "30s" });
    await t.sleepMs(20_000);
    t.model.transferLeader({ unavailableMs: 2_000 });
    await t.sleepMs(100_000);
    expect(t.world.trace.ofKind("consul.session.expire").map((r) => ({ session: r.data.session, atMs: r.atMs }))).toEqual([{ session: s, atMs: 20_000 + 2_000 + 60_000 }]);
  });

  it("a failover and a transfer of the same length tell different stories to consul-api-lock", async () => {
    const scenario = (fault: Fault) =>
      parseScenario(
        { name: `x-${fault.type}`, why: "compare", seed: 3, consul: { ttlMs: 15_000 }, workers: { count: 1 }, tasks: [{ id: "t1", durationMs: 20_000 }], faults: [fault], horizonMs: 120_000, expect: { "consul-api-lock": {} } },
        fault.type,
      );
    const crash = await runScenario(scenario({ type: "leader-failover", atMs: 5_000, unavailableMs: 3_000 }), { worker: "consul-api-lock" });
    const transfer = await runScenario(scenario({ type: "leader-transfer", atMs: 5_000, unavailableMs: 3_000 }), { worker: "consul-api-lock" });
    expect(crash.fleet.world.trace.ofKind("task.abort").map((r) => r.data.reason)).toEqual([expect.stringContaining("rpc error making call: EOF")]);
    expect(transfer.fleet.world.trace.ofKind("task.abort")).toEqual([]);
    expect(transfer.fleet.world.trace.ofKind("consul.leader.lost").map((r) => r.data)).toEqual([{ unavailableMs: 3_000, graceful: true }]);
  });
});
