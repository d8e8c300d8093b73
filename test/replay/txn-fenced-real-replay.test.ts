import { afterAll, describe, expect, it } from "vitest";
import { loadScenario } from "../../sim/scenario/load-scenario.js";
import { replaySideBySide } from "../../replay/replay-real.js";
import { realConsulForTests } from "../real-consul.js";

const agent = await realConsulForTests();

// txn-fenced on a real Consul 1.8.7 agent: the effect is a transaction on the agent itself, and
// what took effect is judged from the agent's answers (replay/txn-effect-port.ts).
describe.skipIf(!agent)("txn-fenced replayed on real Consul 1.8.7 reaches the simulator's verdicts", () => {
  afterAll(async () => {
    await agent?.stop();
  });

  for (const name of ["gc-pause-longer-than-ttl", "txn-fenced-late-write-refused"]) {
    it.concurrent(`scenarios/${name}.json · txn-fenced`, { timeout: 240_000 }, async () => {
      const scenario = await loadScenario(`scenarios/${name}.json`);
      const [r] = await replaySideBySide(scenario, ["txn-fenced"], agent!.addr);
      expect(r!.real.finished, "every real worker finished").toBe(true);
      expect(r!.real.records.filter((x) => x.kind === "host.failed")).toEqual([]);
      expect({ real: r!.real.verdicts, differing: r!.differing }).toEqual({ real: { ...r!.sim.verdicts, modelInvariants: "not-applicable" }, differing: [] });
      expect(r!.real.leftover).toEqual({ sessions: 0, keys: 0 });
      // The effect landed in Consul once, from the agent's own answers; the late write, if any, was refused by it.
      const commits = r!.real.records.flatMap((x) => (x.kind === "store.commit" ? [x.data] : []));
      expect(commits.filter((c) => c.accepted)).toHaveLength(1);
      const refused = commits.filter((c) => !c.accepted);
      if (name === "txn-fenced-late-write-refused") {
        expect(refused).toEqual([expect.objectContaining({ worker: "w1", reason: expect.stringMatching(/^consul: failed session check for key ".*\/t1\/leader", current session "[0-9a-f-]{36}" != "[0-9a-f-]{36}"$/) })]);
      }
      console.log(`${name} · txn-fenced: real ${(r!.real.wallMs / 1000).toFixed(1)}s; verdicts ${JSON.stringify(r!.real.verdicts)}; commits ${JSON.stringify(commits.map((c) => [c.worker, c.accepted]))}`);
    });
  }
});
