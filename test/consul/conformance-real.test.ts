import { afterAll, describe, expect, it } from "vitest";
import { conformanceCases } from "./conformance-cases.js";
import { fidelityCases } from "./conformance-fidelity.js";
import { RealTarget } from "./consul-target.js";
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
      const target = new RealTarget(agent!.addr);
      try {
        await c.run(target);
      } finally {
        const left = await target.cleanup();
        expect(left).toEqual({ sessionsLeft: [], keysLeft: 0 });
      }
    });
  }
});
