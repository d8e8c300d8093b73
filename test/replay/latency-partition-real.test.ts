import { afterAll, describe, expect, it } from "vitest";
import { runScenarioReal } from "../../replay/run-scenario-real.js";
import { parseScenario } from "../../sim/scenario/load-scenario.js";
import { runScenario } from "../../sim/scenario/run-scenario.js";
import type { TraceRecord } from "../../src/trace-events.js";
import type { WorkerFactory } from "../../src/workers/worker-types.js";
import { realConsulForTests } from "../real-consul.js";

const agent = await realConsulForTests();

/**
 * The simulated network decides a message's fate (partition cut, loss) when it is sent, and its
 * latency is only travel time after that (sim/network.ts `send`, `respond`): a request already
 * travelling when a partition starts arrives, Consul acts on it, and only its answer meets the
 * partition. These tests play a slow network (3 s each way) with a partition that starts while a
 * request is on its way, in both worlds, and compare what the workers saw and what the link recorded.
 * One replay, about 13 s of real time.
 */
describe.skipIf(!agent)("a partition that starts while a slowed message travels, in both worlds (real Consul 1.8.7)", () => {
  afterAll(async () => {
    await agent?.stop();
  });

  it("a request already on its way arrives; its answer meets the partition (reject: reset after Consul acted; drop: held, retransmitted at the heal)", { timeout: 60_000 }, async () => {
    // Each worker creates a session at once, then at 1 s sends an acquire that takes 3 s to arrive
    // (at 4 s). w1's and w2's partitions start at 2.5 s, with the request halfway; w3's starts at
    // 5.5 s, with the answer halfway back (due at 7 s). Every partition heals 3 s after it began.
    const slow = (worker: string): object => ({ type: "slow-network", atMs: 500, worker, durationMs: 9_000, latencyMsMin: 3_000, latencyMsMax: 3_000 });
    const scenario = parseScenario(
      {
        name: "partition-while-slowed",
        why: "a partition starts while a slowed message travels",
        seed: 1,
        consul: { ttlMs: 30_000, lockDelayMs: 0 },
        workers: { count: 3 },
        tasks: [{ id: "t1", durationMs: 1_000 }],
        faults: [
          slow("w1"),
          slow("w2"),
          slow("w3"),
          { type: "partition", atMs: 2_500, worker: "w1", durationMs: 3_000, mode: "both", kind: "reject" },
          { type: "partition", atMs: 2_500, worker: "w2", durationMs: 3_000, mode: "both", kind: "drop" },
          { type: "partition", atMs: 5_500, worker: "w3", durationMs: 3_000, mode: "both", kind: "reject" },
        ],
        horizonMs: 60_000,
        expect: { probe: {} },
      },
      "partition-while-slowed",
    );
    const sim = (await runScenario(scenario, { worker: acquireProbe(), workerName: "probe" })).fleet.world.trace.records;
    const real = await runScenarioReal(scenario, { worker: { name: "probe", factory: acquireProbe() }, addr: agent!.addr, timeLimitMs: 40_000 });
    expect(real.finished, "the real workers finished").toBe(true);
    expect(real.leftover).toEqual({ sessions: 0, keys: 0 });
    const stories = (records: readonly TraceRecord[]): Record<string, string[]> => Object.fromEntries(["w1", "w2", "w3"].map((w) => [w, story(records, w)]));
    expect(stories(real.records)).toEqual(stories(sim));
    // The simulator's story, which the real replay must tell too.
    expect(story(sim, "w1")).toEqual([
      "fault.applied slow-network",
      "fault.applied partition",
      "net.partition",
      // The acquire reached Consul through the partition's start; its answer was reset.
      "net.reset kv.acquire response",
      "fault.undone partition",
      "net.heal",
      "put: reset after the server acted",
      "fault.undone slow-network",
      "holder: mine",
    ]);
    expect(story(sim, "w2")).toEqual([
      "fault.applied slow-network",
      "fault.applied partition",
      "net.partition",
      "fault.undone partition",
      "net.heal",
      // What the heal retransmitted was the answer: the request had arrived before.
      "net.retransmit kv.acquire response",
      "put: acquired",
      "fault.undone slow-network",
      "holder: mine",
    ]);
    expect(story(sim, "w3")).toEqual([
      "fault.applied slow-network",
      "fault.applied partition",
      "net.partition",
      // The answer was on its way back when the partition began: it arrived.
      "put: acquired",
      "fault.undone partition",
      "net.heal",
      "fault.undone slow-network",
      "holder: mine",
    ]);
  });
});

/** One worker's faults, link records and probe marks, in order. */
function story(records: readonly TraceRecord[], host: string): string[] {
  return records.flatMap((r) => {
    if (r.host !== host) return [];
    if (r.kind === "fault.applied" || r.kind === "fault.undone") return [`${r.kind} ${r.data.type}`];
    if (r.kind === "net.partition" || r.kind === "net.heal") return [r.kind];
    if (r.kind === "net.reset" || r.kind === "net.retransmit") return [`${r.kind} ${r.data.op} ${r.data.dir}`];
    if (r.kind === "net.gave-up") return [`${r.kind} ${r.data.op}`];
    if (r.kind === "mark") return [`${String(r.data.name)}: ${String(r.data.found)}`];
    return [];
  });
}

/** What a put's outcome says, the same in both worlds (their transport errors differ in class, not in reason). */
const outcomeOf = (error: unknown): string => {
  const message = error instanceof Error ? error.message : String(error);
  return /reset after the server acted/.test(message) ? "reset after the server acted" : /connection refused/.test(message) ? "connection refused" : /no response within/.test(message) ? "timed out" : `failed: ${message}`;
};

/**
 * A worker that probes its link: it creates a session at once (before the slow network), at 1 s
 * tries to acquire its own key and marks what it saw; 4 s after that answer (past the faults) it
 * marks whether Consul holds the key for its session, i.e. whether the acquire reached Consul.
 */
function acquireProbe(): WorkerFactory {
  return (env) => ({
    async run(signal) {
      const key = `${env.settings.keyPrefix}/${env.workerId}/leader`;
      const session = await env.consul.sessionCreate({ ttlMs: 30_000, lockDelayMs: 0 });
      await env.clock.sleepMs(1_000, signal);
      const put = await env.consul.kvPut(key, "v", { acquire: session }).then((ok) => (ok ? "acquired" : "not acquired"), outcomeOf);
      env.log("mark", { name: "put", found: put });
      await env.clock.sleepMs(4_000, signal);
      const { entry } = await env.consul.kvGet(key);
      env.log("mark", { name: "holder", found: entry?.session === session ? "mine" : (entry?.session ?? "none") });
      await env.consul.sessionDestroy(session);
    },
  });
}
