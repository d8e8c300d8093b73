import { afterAll, describe, expect, it } from "vitest";
import { runScenarioReal } from "../../replay/run-scenario-real.js";
import { faultTable } from "../../sim/faults/fault-table.js";
import { runScenario } from "../../sim/scenario/run-scenario.js";
import { parseScenario } from "../../sim/scenario/load-scenario.js";
import type { Fault, FaultType } from "../../sim/scenario/scenario-schema.js";
import type { ConsulCluster } from "../../replay/consul-cluster.js";
import type { TraceRecord } from "../../src/trace-events.js";
import { realConsulForTests } from "../real-consul.js";

const agent = await realConsulForTests();

/** One short fault of each type, on w1 (the holder: it starts first), at 300 ms for 700 ms. */
const faults: Record<FaultType, Fault> = {
  crash: { type: "crash", atMs: 300, worker: "w1", restartAfterMs: 700 },
  pause: { type: "pause", atMs: 300, worker: "w1", durationMs: 700 },
  partition: { type: "partition", atMs: 300, worker: "w1", durationMs: 700, mode: "both", kind: "drop" },
  "drop-renewals": { type: "drop-renewals", atMs: 300, worker: "w1", durationMs: 700 },
  "slow-network": { type: "slow-network", atMs: 300, worker: "w1", durationMs: 700, latencyMsMin: 5, latencyMsMax: 20 },
  "leader-failover": { type: "leader-failover", atMs: 300, unavailableMs: 700 },
  "clock-drift": { type: "clock-drift", atMs: 300, worker: "w1", rate: 2, durationMs: 700 },
  // w2 starts at 600 ms here (see scenarioWith), inside the limit: its first write, its session, is refused in both worlds.
  "rate-limit": { type: "rate-limit", atMs: 400, durationMs: 600, fraction: 1, status: 503 },
  "leader-transfer": { type: "leader-transfer", atMs: 300, unavailableMs: 700 },
};

function scenarioWith(fault: Fault) {
  return parseScenario(
    {
      name: `engine-${fault.type}`,
      why: "one fault through the engine",
      seed: 1,
      consul: { ttlMs: 10_000, lockDelayMs: 0 },
      workers: { count: 2, startStaggerMs: fault.type === "rate-limit" ? 600 : 100 },
      tasks: [{ id: "t1", durationMs: 20_000 }],
      faults: [fault],
      horizonMs: 60_000,
      expect: { naive: {} },
    },
    `engine-${fault.type}`,
  );
}

/** Records the fault engine and the verbs write, in order, up to 1.5 s: what both worlds must share. */
const verbKinds = new Set(["host.crash", "host.pause", "host.resume", "net.partition", "net.heal", "host.clock-rate", "consul.leader.lost", "consul.leader.elected", "consul.rate-limit.on", "consul.rate-limit.off", "consul.rate-limited"]);
function faultStory(records: readonly TraceRecord[]): string[] {
  return records
    .filter((r) => r.atMs <= 1_500 && (r.kind.startsWith("fault.") || verbKinds.has(r.kind) || (r.kind === "host.start" && r.data.incarnation > 0)))
    .map((r) => `${r.host} ${r.kind}${r.kind.startsWith("fault.") && "fault" in r.data! ? ` ${r.data.fault}` : ""}${r.kind === "host.start" ? ` #${r.data.incarnation}` : ""}${r.kind === "consul.rate-limited" ? ` ${r.data.op} ${r.data.status}` : ""}`);
}

/** A stand-in for a 3-server cluster: the failover verb's effect on a real cluster is test/replay/failover-replay.test.ts's. */
const standInCluster: ConsulCluster = {
  clientAddr: "",
  leader: async () => "server-1",
  killLeader: async () => "server-1",
  waitForNewLeader: async () => "server-2",
  leaveLeader: async () => "server-1",
  restartServer: async () => undefined,
  stop: async () => undefined,
};

describe("the fault table has one row per fault type, each with an apply and (but failover and transfer) an undo", () => {
  it("covers every fault type", () => {
    expect(Object.keys(faultTable).sort()).toEqual(Object.keys(faults).sort());
    for (const [type, row] of Object.entries(faultTable)) if (type !== "leader-failover" && type !== "leader-transfer") expect(row.undo, type).toBeDefined();
  });
});

describe.skipIf(!agent)("every fault type plays through the fault engine the same way in both worlds", () => {
  afterAll(async () => {
    await agent?.stop();
  });
  for (const [type, fault] of Object.entries(faults)) {
    it.concurrent(type, { timeout: 60_000 }, async () => {
      const scenario = scenarioWith(fault);
      const sim = await runScenario(scenario, { worker: "naive" });
      const real = await runScenarioReal(scenario, {
        worker: "naive",
        addr: agent!.addr,
        timeLimitMs: 2_000,
        cluster: type === "leader-failover" || type === "leader-transfer" ? { ...standInCluster, clientAddr: agent!.addr } : undefined,
      });
      const simStory = faultStory(sim.fleet.world.trace.records);
      expect(simStory.some((l) => l.includes("fault.applied"))).toBe(true);
      if (type !== "leader-failover" && type !== "leader-transfer") expect(simStory.some((l) => l.includes("fault.undone"))).toBe(true);
      if (type === "rate-limit") expect(simStory).toContain("consul consul.rate-limited session.create 503");
      if (process.env.LOCKSIM_SHOW) console.log(type, simStory, faultStory(real.records));
      expect(faultStory(real.records)).toEqual(simStory);
      expect(real.leftover).toEqual({ sessions: 0, keys: 0 });
    });
  }
});
