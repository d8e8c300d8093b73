import { describe, expect, it } from "vitest";
import { buildSimFleet } from "../../sim/sim-workers.js";
import { workerKinds, type WorkerKind } from "../../src/workers/worker-kinds.js";

const tasks = Array.from({ length: 10 }, (_, i) => ({ id: `t${i + 1}`, durationMs: 500 + 100 * i }));
const kinds = Object.keys(workerKinds) as WorkerKind[];

function fleet(kind: WorkerKind, seed: string) {
  return buildSimFleet({ seed, worker: workerKinds[kind], workers: 3, tasks, settings: { ttlMs: 10_000 }, resource: kind === "fenced" ? "claim-then-commit" : "unfenced" });
}

describe("three workers, ten tasks, no faults, in the simulator", () => {
  for (const kind of kinds) {
    it(`${kind}: every task committed exactly once, all workers exit, same seed → same trace`, async () => {
      const a = fleet(kind, `fleet-${kind}`);
      expect(await a.runToCompletion()).toBe(true);
      expect(a.world.hostFailures).toEqual([]);
      expect([...a.store.effectCounts().values()]).toEqual(tasks.map(() => 1));
      expect(a.store.attempts.filter((x) => !x.accepted)).toEqual([]);
      // Work was shared: more than one worker committed.
      expect(new Set(a.store.attempts.map((x) => x.workerId)).size).toBeGreaterThan(1);
      // Every session was destroyed.
      expect(a.model.state.sessions.size).toBe(0);
      const b = fleet(kind, `fleet-${kind}`);
      await b.runToCompletion();
      expect(b.world.trace.hash()).toBe(a.world.trace.hash());
    });
  }
});
