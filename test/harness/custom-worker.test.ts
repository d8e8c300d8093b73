import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkBeforeCommitWorker } from "../../examples/check-before-commit-worker.js";
import { loadScenario, runScenario } from "../../sim/index.js";
import { checkWorker, WorkerCheckFailedError } from "../../properties/check-worker.js";
import { runScenarioFile } from "../../properties/run-scenario-file.js";
import { InputError } from "../../src/errors.js";

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

  // A counterexample found for a factory is saved by no name a command line can load. Its replay
  // used to run no worker at all and answer ok (exit 0, `[]` with --json).
  it("a counterexample found for a factory says how to replay it, and its file alone is refused, not passed", { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "locksim-factory-cex-"));
    try {
      const error = await checkWorker(checkBeforeCommitWorker, { runs: 300, seed: 1, outDir: dir, name: "check-before-commit" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkerCheckFailedError);
      const c = (error as WorkerCheckFailedError).summary.counterexample!;
      expect(c.replay).toBe(`locksim replay ${c.file} --worker-module <the module exporting it>`);
      const alone = await runScenarioFile(c.file!).catch((e: unknown) => e);
      expect(alone).toBeInstanceOf(InputError);
      expect((alone as Error).message).toContain(`${c.file}: expected a worker to run it with; found none: the file names no worker, and its expectations are for check-before-commit, no reference kind`);
      const replayed = await runScenarioFile(c.file!, checkBeforeCommitWorker);
      expect(replayed.runs).toHaveLength(1);
      expect(replayed.ok).toBe(true);
      expect(replayed.runs[0]!.run.verdicts[c.failedChecks[0]!]).toBe("violated");
      // The replay line's way: the module that exports the factory, judged under the file's name.
      const byModule = await runScenarioFile(c.file!, "examples/check-before-commit-worker.ts#checkBeforeCommitWorker");
      expect(byModule.runs.map((r) => [r.worker, r.recordedHash !== undefined, r.hashMatches, r.judgement.ok])).toEqual([["check-before-commit", true, true, true]]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // Kept as a regression test, a counterexample saved from a module sweep is replayed with the
  // factory the test imports: it runs under the module's name, so the recorded verdicts and hash apply.
  it("a module's counterexample replayed with its factory is judged under the module's name", { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "locksim-module-cex-"));
    try {
      const error = await checkWorker("examples/check-before-commit-worker.ts#checkBeforeCommitWorker", { runs: 300, seed: 1, outDir: dir, threads: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkerCheckFailedError);
      const c = (error as WorkerCheckFailedError).summary.counterexample!;
      const replayed = await runScenarioFile(c.file!, checkBeforeCommitWorker);
      expect(replayed.runs.map((r) => [r.worker, r.recordedHash !== undefined, r.hashMatches, r.judgement.ok])).toEqual([[(error as WorkerCheckFailedError).summary.worker, true, true, true]]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
