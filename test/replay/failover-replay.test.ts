import { describe, expect, it } from "vitest";
import { loadScenario } from "../../sim/scenario/load-scenario.js";
import { replaySideBySide } from "../../replay/replay-real.js";

// leader-failover-during-task replayed on local 3-server clusters of real agents (one per worker
// kind, started and torn down by the replay). Needs a consul binary: in CI .ci/run installs it.
const haveConsul = await import("node:child_process").then(({ spawnSync }) => spawnSync("consul", ["version"]).status === 0);
if (!haveConsul && process.env.CI) throw new Error("CI=true but no consul binary on PATH for the 3-server failover replay");

describe.skipIf(!haveConsul)("leader-failover-during-task on a real 3-server cluster", () => {
  // consul-api-lock is left out here: it reaches the same verdicts but its real story differs
  // (see the note in README, "Replaying on a real agent") and takes ~90s more.
  it("naive and fenced reach the simulator's verdicts", { timeout: 300_000 }, async () => {
    const scenario = await loadScenario("scenarios/leader-failover-during-task.json");
    const results = await replaySideBySide(scenario, ["naive", "fenced"], "http://unused.invalid");
    for (const r of results) {
      expect(r.real.skippedFaults).toEqual([]);
      expect(r.real.records.some((x) => x.kind === "consul.leader.elected")).toBe(true);
      expect(r.real.finished).toBe(true);
      expect({ worker: r.worker, differing: r.differing, real: r.real.verdicts }).toEqual({ worker: r.worker, differing: [], real: { ...r.sim.verdicts, modelInvariants: "not-applicable" } });
      expect(r.real.leftover).toEqual({ sessions: 0, keys: 0 });
      console.log(`leader-failover-during-task · ${r.worker}: real ${(r.real.wallMs / 1000).toFixed(1)}s, simulator ${r.sim.wallMs.toFixed(0)}ms; ${JSON.stringify(r.real.verdicts)}`);
    }
  });
});
