import { describe, expect, it } from "vitest";
import { classify, exitCodes, WorkerFailedError } from "../../cli/exit-codes.js";
import { ConsulProviderError } from "../../replay/consul-provider.js";
import { NondeterminismError } from "../../sim/scenario/check-determinism.js";
import { DeterminismError } from "../../sim/sim-errors.js";
import { InputError } from "../../src/errors.js";

// The README's exit-code table, error class by error class (the CLI tests cover the commands).
describe("exit codes by error", () => {
  it("bad input is 2: InputError, and no Consul to be had", () => {
    expect(classify(new InputError("x")).code).toBe(exitCodes.badInput);
    expect(classify(new ConsulProviderError("no consul")).code).toBe(2);
  });
  it("the worker under test failed is 3: determinism, nondeterminism, a throw or a stall", () => {
    expect(classify(new DeterminismError({ call: "Date.now" })).code).toBe(3);
    expect(classify(new NondeterminismError({ worker: "w", seed: 1, index: 3, first: "a", second: "b" })).code).toBe(3);
    expect(classify(new WorkerFailedError("stuck")).code).toBe(3);
  });
  it("anything else is an internal error, 4", () => {
    expect(classify(new TypeError("bug")).code).toBe(exitCodes.internal);
    expect(exitCodes.internal).toBe(4);
  });
});
