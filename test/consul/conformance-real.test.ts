import { afterAll, describe, it } from "vitest";
import { conformanceCases } from "./conformance-cases.js";
import { fidelityCases } from "./conformance-fidelity.js";
import { runOnRealTarget } from "./consul-target.js";
import { realConsulForTests } from "../real-consul.js";

const agent = await realConsulForTests();

describe.skipIf(!agent)("conformance: a real Consul agent", () => {
  afterAll(async () => {
    await agent?.stop();
  });

  // Cases run concurrently, each under its own key prefix: the slowest (lock-delay cap, 61s)
  // bounds the wall time of the whole suite.
  for (const c of [...conformanceCases, ...fidelityCases]) {
    it.concurrent(`case ${c.id}: ${c.title}`, { timeout: c.realWallMs + 30_000 }, async () => {
      await runOnRealTarget(agent!.addr, (target) => c.run(target));
    });
  }
});
