import { afterAll, describe, it } from "vitest";
import { runOnRealTarget } from "./consul-target.js";
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
      await runOnRealTarget(agent!.addr, (target) => c.run(target));
    });
  }
});
