import { afterAll, describe, expect, it } from "vitest";
import { RealTarget } from "./consul-target.js";
import { txnConformanceCases } from "./txn-conformance-cases.js";
import { realConsulForTests } from "../real-consul.js";

const agent = await realConsulForTests();

describe.skipIf(!agent)("/v1/txn conformance: a real Consul agent", () => {
  afterAll(async () => {
    await agent?.stop();
  });

  // Each case under its own key prefix, all at once: the lock-delay case bounds the wall time.
  for (const c of txnConformanceCases) {
    it.concurrent(`txn case ${c.id}: ${c.title}`, { timeout: c.realWallMs + 30_000 }, async () => {
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
