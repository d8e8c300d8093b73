import { afterAll, describe, expect, it } from "vitest";
import { replaySideBySide } from "../../replay/replay-real.js";
import { parseScenario } from "../../sim/scenario/load-scenario.js";
import type { TraceRecord } from "../../src/trace-events.js";
import { realConsulForTests } from "../real-consul.js";

const agent = await realConsulForTests();

/**
 * Faults aimed at a worker whose start (workers.startStaggerMs) is still to come. In the simulator
 * such a host is "idle" (sim/host.ts): a crash moves its incarnation on, so its pending start is
 * stale and never runs, and a restart starts incarnation 1 at once; a pause is skipped ("worker is
 * idle": the fault table pauses only a running worker), so no resume follows. The real replay must
 * play the same story and reach the same verdicts. It waits in real time (about 10 s).
 */
describe.skipIf(!agent)("faults before a worker's start play as in the simulator (real Consul 1.8.7)", () => {
  afterAll(async () => {
    await agent?.stop();
  });

  it("crash, restart and pause of workers not yet started", { timeout: 180_000 }, async () => {
    // Starts are due at 0, 1, 2, 3 and 4 s. At 0.5 s, w2, w4 and w5 are crashed and w3 paused
    // before their starts: w2 restarts at 2.2 s (after its start was due), w4 at 1.5 s (before),
    // w5 never. Times are apart by ≥ 200 ms, so real timers and the simulator order them alike.
    const scenario = parseScenario(
      {
        name: "faults-before-start",
        why: "faults aimed at workers that have not started yet",
        seed: 7,
        consul: { ttlMs: 10_000, lockDelayMs: 0 },
        workers: { count: 5, startStaggerMs: 1_000 },
        tasks: [
          { id: "t1", durationMs: 1_500 },
          { id: "t2", durationMs: 1_500 },
          { id: "t3", durationMs: 1_500 },
        ],
        settings: { passIntervalMs: 1_000 },
        faults: [
          { type: "crash", atMs: 500, worker: "w2", restartAfterMs: 1_700 },
          { type: "pause", atMs: 500, worker: "w3", durationMs: 2_000 },
          { type: "crash", atMs: 500, worker: "w4", restartAfterMs: 1_000 },
          { type: "crash", atMs: 500, worker: "w5" },
        ],
        horizonMs: 120_000,
        expect: { naive: {}, fenced: {} },
      },
      "faults-before-start",
    );
    for (const r of await replaySideBySide(scenario, ["naive", "fenced"], agent!.addr)) {
      const sim = r.sim.fleet.world.trace.records;
      expect(r.real.finished, `${r.worker}: every real worker finished`).toBe(true);
      expect(r.real.records.filter((x) => x.kind === "host.failed")).toEqual([]);
      expect({ worker: r.worker, real: r.real.verdicts, differing: r.differing }).toEqual({ worker: r.worker, real: { ...r.sim.verdicts, modelInvariants: "not-applicable" }, differing: [] });
      expect(r.real.leftover).toEqual({ sessions: 0, keys: 0 });
      const expected = {
        w1: ["host.start 0", "host.exit 0"],
        // The pending start (1 s) is dropped; the restart starts incarnation 1.
        w2: ["fault.applied crash", "host.crash", "fault.undone crash", "host.start 1", "host.exit 1"],
        // The pause is skipped and never undone; the start comes when it is due.
        w3: ["fault.skipped pause: worker is idle", "host.start 0", "host.exit 0"],
        // The restart (1.5 s) starts incarnation 1; the pending start (3 s) is dropped.
        w4: ["fault.applied crash", "host.crash", "fault.undone crash", "host.start 1", "host.exit 1"],
        // Crashed before its start and never restarted: it never runs.
        w5: ["fault.applied crash", "host.crash"],
      };
      for (const records of [sim, r.real.records]) {
        for (const [worker, life] of Object.entries(expected)) expect({ worker, life: lifeOf(records, worker) }).toEqual({ worker, life });
        // Nothing of a crashed-before-start incarnation 0 ever runs: w2, w4 and w5 write nothing of their own before their restarts.
        for (const worker of ["w2", "w4", "w5"]) {
          const restartAt = records.findIndex((x) => x.host === worker && x.kind === "host.start");
          const before = records.slice(0, restartAt === -1 ? records.length : restartAt).filter((x) => x.host === worker && x.kind !== "step" && !x.kind.startsWith("fault.") && x.kind !== "host.crash");
          expect({ worker, before }).toEqual({ worker, before: [] });
        }
        expect(records.filter((x) => x.kind === "task.outcome" && x.data.outcome === "committed")).toHaveLength(3);
      }
      console.log(`faults-before-start · ${r.worker}: real ${(r.real.wallMs / 1000).toFixed(1)}s; verdicts ${JSON.stringify(r.real.verdicts)}`);
    }
  });
});

/** A worker's life in a trace: its faults (with why a skipped one was skipped), starts, crashes and exits, with incarnations. */
function lifeOf(records: readonly TraceRecord[], worker: string): string[] {
  return records.flatMap((r): string[] => {
    if (r.host !== worker) return [];
    switch (r.kind) {
      case "host.start":
      case "host.exit":
        return [`${r.kind} ${r.data.incarnation}`];
      case "host.crash":
      case "host.pause":
      case "host.resume":
        return [r.kind];
      case "fault.applied":
      case "fault.undone":
        return [`${r.kind} ${r.data.type}`];
      case "fault.skipped":
        return [`${r.kind} ${r.data.type}: ${r.data.why}`];
      default:
        return [];
    }
  });
}
