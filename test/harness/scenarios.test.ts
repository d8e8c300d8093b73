import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../sim/scenario/load-scenario.js";
import { runScenario } from "../../sim/scenario/run-scenario.js";
import { workerKinds, type WorkerKind } from "../../src/workers/worker-kinds.js";

const shipped = readdirSync("scenarios").filter((f) => f.endsWith(".json") && f !== "scenario.schema.json");

describe("shipped scenarios meet their expected verdicts, per worker", () => {
  it("ships the eleven fault stories", () => {
    expect(shipped.sort()).toEqual(
      ["clock-drift", "crash-mid-task", "gc-pause-longer-than-ttl", "leader-failover-during-task", "lock-delay-after-crash", "missed-renewals", "partition-holder-from-consul", "ttl-expiry-during-long-task", "leader-transfer-during-task", "rate-limit-during-task", "txn-fenced-late-write-refused"].sort().map((n) => `${n}.json`),
    );
  });

  it("every shipped scenario holds every reference worker kind to its expectations", async () => {
    for (const file of shipped) {
      const scenario = await loadScenario(`scenarios/${file}`);
      expect(Object.keys(scenario.expect).sort(), file).toEqual(Object.keys(workerKinds).sort());
    }
  });

  for (const file of shipped) {
    it(file, async () => {
      const scenario = await loadScenario(`scenarios/${file}`);
      for (const [kind, expected] of Object.entries(scenario.expect) as [WorkerKind, Record<string, string>][]) {
        const run = await runScenario(scenario, { worker: kind });
        expect(run.fleet.world.hostFailures, `${kind}: a worker threw`).toEqual([]);
        const got = Object.fromEntries(Object.keys(expected).map((c) => [c, `${run.verdicts[c as keyof typeof run.verdicts]}: ${run.results[c as keyof typeof run.results].detail}`]));
        const want = Object.fromEntries(Object.entries(expected).map(([c, v]) => [c, expect.stringMatching(new RegExp(`^${v}:`))]));
        expect(got, `${file} · ${kind}`).toEqual(want);
      }
    });
  }
});
