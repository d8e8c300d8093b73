import { afterAll, describe, expect, it } from "vitest";
import { runRealFleet } from "../../replay/real-fleet.js";
import { workerKinds, type WorkerKind } from "../../src/workers/worker-kinds.js";
import { buildSimFleet } from "../../sim/sim-workers.js";
import { realConsulForTests } from "../real-consul.js";

const tasks = Array.from({ length: 10 }, (_, i) => ({ id: `t${i + 1}`, durationMs: 150 + 20 * i }));
const settings = { ttlMs: 10_000, passIntervalMs: 1_000, lockWaitTimeMs: 500 };
const kinds = Object.keys(workerKinds) as WorkerKind[];

const agent = await realConsulForTests();

describe.skipIf(!agent)("three workers, ten tasks, no faults, on a real Consul agent", () => {
  afterAll(async () => {
    await agent?.stop();
  });

  for (const kind of kinds) {
    it.concurrent(`${kind}: every task committed exactly once, as in the simulator; nothing left behind`, async () => {
      const real = await runRealFleet({ addr: agent!.addr, worker: workerKinds[kind], workers: 3, tasks, settings, resource: kind === "fenced" ? "claim-then-commit" : "unfenced", timeoutMs: 90_000 });
      expect(real.finished).toBe(true);
      expect(real.log.filter((r) => r.kind === "host.failed")).toEqual([]);
      expect(Object.fromEntries(real.store.effectCounts())).toEqual(Object.fromEntries(tasks.map((t) => [t.id, 1])));
      expect(real.store.attempts.filter((a) => !a.accepted)).toEqual([]);
      expect(real.leftover).toEqual({ sessions: 0, keys: 0 });
      // The same fleet in the simulator reaches the same outcome.
      const sim = buildSimFleet({ seed: `real-vs-sim-${kind}`, worker: workerKinds[kind], workers: 3, tasks, settings, resource: kind === "fenced" ? "claim-then-commit" : "unfenced" });
      expect(await sim.runToCompletion()).toBe(true);
      expect(Object.fromEntries(sim.store.effectCounts())).toEqual(Object.fromEntries(real.store.effectCounts()));
      console.log(`${kind}: real ${real.wallMs}ms wall; simulated ${sim.world.nowMs}ms virtual`);
    });
  }
});
