import { readdirSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { loadScenario } from "../../sim/scenario/load-scenario.js";
import { agentFor, replaySideBySide } from "../../replay/replay-real.js";
import { InputError } from "../../src/errors.js";
import type { WorkerKind } from "../../src/workers/worker-kinds.js";
import { realConsulForTests } from "../real-consul.js";

const agent = await realConsulForTests();

const cases: [string, WorkerKind][] = [];
for (const name of ["gc-pause-longer-than-ttl", "crash-mid-task", "lock-delay-after-crash"]) {
  for (const kind of ["naive", "fenced"] as WorkerKind[]) cases.push([`scenarios/${name}.json`, kind]);
}
const regressions = readdirSync("scenarios/regressions").filter((f) => f.endsWith(".json")).map((f) => `scenarios/regressions/${f}`);

describe("replay on a real agent refuses a remote agent unless allowed", () => {
  it("names the address and the flag", async () => {
    await expect(agentFor({ consulAddr: "http://10.1.2.3:8500" })).rejects.toBeInstanceOf(InputError);
    await expect(agentFor({ consulAddr: "http://10.1.2.3:8500" })).rejects.toThrow(/not on loopback.*--allow-remote/);
  });
});

describe.skipIf(!agent)("scenarios and counterexamples replayed on real Consul 1.8.7 reach the simulator's verdicts", () => {
  afterAll(async () => {
    await agent?.stop();
  });

  // Every replay takes real time (up to ~95s); they run at once, each under its own key prefix.
  for (const [file, kind] of [...cases, ...regressions.map((f) => [f, undefined] as const)]) {
    it.concurrent(`${file}${kind ? ` · ${kind}` : ""}`, { timeout: 240_000 }, async () => {
      const scenario = await loadScenario(file);
      const kinds = kind ? [kind] : (Object.keys(scenario.expect) as WorkerKind[]);
      for (const r of await replaySideBySide(scenario, kinds, agent!.addr)) {
        expect(r.real.finished, "every real worker finished").toBe(true);
        expect(r.real.records.filter((x) => x.kind === "host.failed")).toEqual([]);
        expect({ worker: r.worker, real: r.real.verdicts, differing: r.differing }).toEqual({ worker: r.worker, real: { ...r.sim.verdicts, modelInvariants: "not-applicable" }, differing: [] });
        // Nothing of the run is left on the agent, also when a fault killed a worker mid-task.
        expect(r.real.leftover).toEqual({ sessions: 0, keys: 0 });
        // The naive worker's double effect happens on the real agent too, not only in the model.
        if (file.includes("gc-pause") && r.worker === "naive") expect(r.real.results.atMostOnce.detail).toMatch(/took effect twice/);
        console.log(`${file} · ${r.worker}: real ${(r.real.wallMs / 1000).toFixed(1)}s, simulator ${r.sim.wallMs.toFixed(0)}ms (${(r.sim.fleet.world.nowMs / 1000).toFixed(1)}s virtual), ${Math.round(r.real.wallMs / r.sim.wallMs)}x; verdicts ${JSON.stringify(r.real.verdicts)}`);
      }
    });
  }

});
