// Trace hashes pinned before issue 14's speed work (commit c4f4257): the simulator's hot paths
// (the step barrier, the determinism guard, the network, the Consul model) may get faster, but
// every seed must keep telling the same story, byte for byte. Regenerating this file is a change
// of behaviour and needs its own reason in the commit.
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildEchoWorld } from "../../sim/echo-workload.js";
import { runScenario } from "../../sim/scenario/run-scenario.js";
import { scenarioSchema } from "../../sim/scenario/scenario-schema.js";
import { scenarioArb } from "../../properties/scenario-arbitrary.js";
import { workerKinds, type WorkerKind } from "../../src/workers/worker-kinds.js";

const pins = JSON.parse(readFileSync("test/fixtures/trace-hashes.json", "utf8")) as Record<string, string>;
const kinds = Object.keys(workerKinds) as WorkerKind[];

describe("trace hashes stay pinned", () => {
  it("the standard echo workload, 12 seeds × 5 virtual minutes", async () => {
    const seen: Record<string, string> = {};
    for (let seed = 0; seed < 12; seed++) {
      const world = buildEchoWorld({ seed, durationMs: 300_000 });
      await world.run();
      seen[`echo/${seed}`] = world.trace.hash();
    }
    expect(seen).toEqual(Object.fromEntries(Object.entries(pins).filter(([k]) => k.startsWith("echo/"))));
  });

  it("every shipped scenario and regression (as of the pins) × every worker kind, step records on and off", { timeout: 60_000 }, async () => {
    const seen: Record<string, string> = {};
    for (const dir of ["scenarios", "scenarios/regressions"]) {
      // Files added after the pins were taken are not pinned here (their own tests cover them).
      for (const f of readdirSync(dir).filter((n) => `file/${n}/naive/true` in pins)) {
        const scenario = scenarioSchema.parse(JSON.parse(readFileSync(`${dir}/${f}`, "utf8")));
        for (const kind of kinds) {
          for (const traceSteps of [true, false]) seen[`file/${f}/${kind}/${traceSteps}`] = (await runScenario(scenario, { worker: kind, traceSteps })).traceHash;
        }
      }
    }
    expect(seen).toEqual(Object.fromEntries(Object.entries(pins).filter(([k]) => k.startsWith("file/"))));
  });

  it("the first 25 generated scenarios of sweep seed 1, for every worker kind", { timeout: 60_000 }, async () => {
    const seen: Record<string, string> = {};
    for (const kind of kinds) {
      const scenarios = fc.sample(scenarioArb({ worker: kind }), { seed: 1, path: "0", numRuns: 25 });
      for (let i = 0; i < scenarios.length; i++) seen[`gen/${kind}/1/${i}`] = (await runScenario(scenarios[i]!, { worker: kind, traceSteps: false })).traceHash;
    }
    expect(seen).toEqual(Object.fromEntries(Object.entries(pins).filter(([k]) => k.startsWith("gen/"))));
  });
});
