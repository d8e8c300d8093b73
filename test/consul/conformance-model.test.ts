import { describe, it } from "vitest";
import { conformanceCases } from "./conformance-cases.js";
import { fidelityCases } from "./conformance-fidelity.js";
import { ModelTarget } from "./consul-target.js";

describe("conformance: the model", () => {
  for (const c of [...conformanceCases, ...fidelityCases]) {
    it(`case ${c.id}: ${c.title}`, async () => {
      await c.run(new ModelTarget(`case-${c.id}`));
    });
  }
});
