import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { runSweep } from "../../properties/sweep.js";

// A user's test setup may configure fast-check for its own properties (fc.configureGlobal). A
// sweep is defined by its seed alone: the same runs, the same counterexample, shrunk the same way,
// whatever that configuration says, or shards and saved paths would mean other runs there.
describe("a sweep ignores fast-check's global configuration", () => {
  afterEach(() => {
    fc.resetConfigureGlobal();
  });

  it("finds and shrinks the same counterexample under another random generator, bias and limits", { timeout: 120_000 }, async () => {
    const plain = await runSweep({ worker: "naive", runs: 200, seed: 1, threads: 1 });
    fc.configureGlobal({ randomType: "mersenne", unbiased: true, numRuns: 3, endOnFailure: true, maxSkipsPerRun: 1, baseSize: "xlarge" });
    const configured = await runSweep({ worker: "naive", runs: 200, seed: 1, threads: 1 });
    // The user's configuration is theirs again afterwards.
    expect(fc.readConfigureGlobal()).toMatchObject({ randomType: "mersenne", unbiased: true, numRuns: 3, baseSize: "xlarge" });
    expect(plain.counterexample).toBeDefined();
    const pick = (s: typeof plain) => ({ run: s.counterexample!.foundAtRun, path: s.counterexample!.path, faults: s.counterexample!.scenario.faults, checks: s.counterexample!.failedChecks });
    expect(pick(configured)).toEqual(pick(plain));
  });
});
