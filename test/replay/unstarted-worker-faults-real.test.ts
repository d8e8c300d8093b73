import { afterAll, describe, expect, it } from "vitest";
import { runScenarioReal } from "../../replay/run-scenario-real.js";
import { parseScenario } from "../../sim/scenario/load-scenario.js";
import { runScenario } from "../../sim/scenario/run-scenario.js";
import type { TraceRecord } from "../../src/trace-events.js";
import type { WorkerFactory } from "../../src/workers/worker-types.js";
import { realConsulForTests } from "../real-consul.js";

const agent = await realConsulForTests();

/**
 * A scenario can start its workers late (`workers.startStaggerMs`), so a fault can meet a worker
 * that has not started yet. In the simulator a host can be crashed from any state (sim/host.ts):
 * a crash before the start makes the pending start stale (sim/world.ts drops it), so the worker
 * starts only when the crash is undone, as incarnation 1, at the restart's time (also when that is
 * before its own start time); a pause meets an idle worker and is skipped. The real replay must
 * play and record the same story. One replay, about 11 s of real time.
 */
describe.skipIf(!agent)("faults on a worker that has not started yet, in both worlds (real Consul 1.8.7)", () => {
  afterAll(async () => {
    await agent?.stop();
  });

  it("a crash before the start drops the start until the restart; a pause before it is skipped", { timeout: 60_000 }, async () => {
    // w1 starts at 0 s and runs until 12 s (so the fleet is not done meanwhile); w2 is due at 3 s,
    // w3 at 6 s, w4 at 9 s. Every fault time is at least 500 ms from every other event.
    const scenario = parseScenario(
      {
        name: "faults-before-start",
        why: "faults that meet workers before their start",
        seed: 1,
        consul: { ttlMs: 10_000, lockDelayMs: 0 },
        workers: { count: 4, startStaggerMs: 3_000 },
        tasks: [{ id: "t1", durationMs: 1_000 }],
        faults: [
          // w2: crashed at 1 s and restarted at 2 s, before its own start (3 s): it starts at 2 s.
          { type: "crash", atMs: 1_000, worker: "w2", restartAfterMs: 1_000 },
          // w3: crashed at 1.5 s for good: it never starts.
          { type: "crash", atMs: 1_500, worker: "w3" },
          // w4: a pause at 4.5 s meets an idle worker (skipped, so no resume is due); crashed at
          // 7.5 s, its start at 9 s is dropped; the restart at 10.5 s starts it.
          { type: "pause", atMs: 4_500, worker: "w4", durationMs: 1_000 },
          { type: "crash", atMs: 7_500, worker: "w4", restartAfterMs: 3_000 },
        ],
        horizonMs: 60_000,
        expect: { probe: {} },
      },
      "faults-before-start",
    );
    const sim = (await runScenario(scenario, { worker: lifeProbe(), workerName: "probe" })).fleet.world.trace.records;
    const real = await runScenarioReal(scenario, { worker: { name: "probe", factory: lifeProbe() }, addr: agent!.addr, timeLimitMs: 40_000 });
    expect(real.finished, "the real workers finished").toBe(true);
    expect(real.leftover).toEqual({ sessions: 0, keys: 0 });
    expect(life(real.records)).toEqual(life(sim));
    expect(life(sim)).toEqual([
      "w1 host.start 0",
      "w2 fault.applied crash w2, restart after 1000ms",
      "w2 host.crash",
      "w3 fault.applied crash w3, no restart",
      "w3 host.crash",
      "w2 fault.undone crash w2, restart after 1000ms",
      "w2 host.start 1",
      "w2 host.exit 1",
      "w4 fault.skipped pause w4 for 1000ms: worker is idle",
      "w4 fault.applied crash w4, restart after 3000ms",
      "w4 host.crash",
      "w4 fault.undone crash w4, restart after 3000ms",
      "w4 host.start 1",
      "w4 host.exit 1",
      "w1 host.exit 0",
    ]);
    // The start events the crashes made stale ran in neither world: w2 and w4 started once each, w3 never.
    for (const records of [sim, real.records]) {
      expect(records.filter((r) => r.kind === "host.start").map((r) => r.host)).toEqual(["w1", "w2", "w4"]);
    }
  });
});

/** The workers' lives and the faults that met them, in order, one line per record. */
function life(records: readonly TraceRecord[]): string[] {
  return records.flatMap((r) => {
    if (r.kind === "host.start" || r.kind === "host.exit") return [`${r.host} ${r.kind} ${r.data.incarnation}`];
    if (r.kind === "host.crash" || r.kind === "host.pause" || r.kind === "host.resume") return [`${r.host} ${r.kind}`];
    if (r.kind === "fault.applied" || r.kind === "fault.undone") return [`${r.host} ${r.kind} ${r.data.fault}`];
    if (r.kind === "fault.skipped") return [`${r.host} ${r.kind} ${r.data.fault}: ${r.data.why}`];
    return [];
  });
}

/** A worker that only lives: w1 for 12 s (the fleet is not done before the last restart), the others for 500 ms. */
function lifeProbe(): WorkerFactory {
  return (env) => ({ run: (signal) => env.clock.sleepMs(env.workerId === "w1" ? 12_000 : 500, signal) });
}
