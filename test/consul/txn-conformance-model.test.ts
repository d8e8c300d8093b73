import { describe, it } from "vitest";
import { ModelTarget } from "./consul-target.js";
import { txnConformanceCases } from "./txn-conformance-cases.js";

describe("/v1/txn conformance: the model", () => {
  for (const c of txnConformanceCases) {
    it(`txn case ${c.id}: ${c.title}`, async () => {
      await c.run(new ModelTarget(`txn-case-${c.id}`));
    });
  }
});
