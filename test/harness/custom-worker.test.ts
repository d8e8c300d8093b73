import { describe, expect, it } from "vitest";
import { checkBeforeCommitWorker } from "../../examples/check-before-commit-worker.js";
import { loadScenario, runScenario } from "../../sim/index.js";

describe("a user's own worker (README example)", () => {
  it("runs in the simulator through the same factory type, and the scenario shows its failure", async () => {
    const scenario = await loadScenario("scenarios/gc-pause-longer-than-ttl.json");
    const run = await runScenario(scenario, { worker: checkBeforeCommitWorker, workerName: "check-before-commit" });
    expect(run.fleet.world.hostFailures).toEqual([]);
    expect(run.worker).toBe("check-before-commit");
    // The re-check does not help against a pause: the holder resumes and commits before its
    // next read of the key.
    expect(run.verdicts.atMostOnce).toBe("violated");
    expect(run.results.atMostOnce.detail).toMatch(/took effect twice/);
  });

});
