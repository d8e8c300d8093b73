import { describe, expect, it } from "vitest";
import { runSweep } from "../../properties/sweep.js";
import { runScenario } from "../../sim/scenario/run-scenario.js";

describe("property sweep", () => {
  it("finds the naive worker's double effect within 200 runs for each of 10 fixed seeds, shrunk to at most 2 faults", async () => {
    const found: { seed: number; atRun: number; faults: number }[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const summary = await runSweep({ worker: "naive", runs: 200, seed });
      const c = summary.counterexample;
      expect(c, `seed ${seed}: no counterexample in 200 runs`).toBeDefined();
      expect(c!.failedChecks).toContain("atMostOnce");
      expect(c!.faults).toBeLessThanOrEqual(2);
      // The shrunk counterexample still fails when run again on its own.
      const rerun = await runScenario(c!.scenario, { worker: "naive" });
      expect(rerun.verdicts.atMostOnce).toBe("violated");
      expect(rerun.traceHash).toBe(c!.scenario.traceHashes?.naive);
      found.push({ seed, atRun: c!.foundAtRun, faults: c!.faults });
    }
    console.log(`naive counterexamples: ${JSON.stringify(found)}`);
  });

  it("fenced: at-most-once effect holds over 1,000 generated runs with every fault type allowed", { timeout: 300_000 }, async () => {
    const summary = await runSweep({ worker: "fenced", runs: 1_000, seed: 20261122 });
    expect(summary.counterexample).toBeUndefined();
    expect(summary.runs).toBe(1_000);
    expect(summary.violations.atMostOnce).toBe(0);
    expect(summary.violations.fencing).toBe(0);
    expect(summary.violations.modelInvariants).toBe(0);
    // The faults were real: exclusive execution did break in some runs (leases cannot prevent it).
    expect(summary.violations.exclusiveExecution).toBeGreaterThan(0);
    console.log(`fenced: ${summary.runs} runs, ${summary.runsPerSec} runs/s, violations ${JSON.stringify(summary.violations)}`);
  });
});
