import { describe, expect, it } from "vitest";
import { checkDeterminism, NondeterminismError } from "../../sim/scenario/check-determinism.js";
import { parseScenario } from "../../sim/scenario/load-scenario.js";
import type { WorkerFactory } from "../../src/workers/worker-types.js";
import { naiveWorker } from "../../src/workers/naive-worker.js";

const scenario = parseScenario(
  { name: "det", why: "two runs", seed: 5, consul: { ttlMs: 10_000 }, workers: { count: 2 }, tasks: [{ id: "t1", durationMs: 1_000 }], horizonMs: 60_000, expect: { naive: {} } },
  "det",
);

// Module state that survives between runs: the second run sleeps longer than the first.
let starts = 0;
const leaky: WorkerFactory = (env) => ({
  async run(signal) {
    starts++;
    await env.clock.sleepMs(starts * 7, signal);
    await naiveWorker(env).run(signal);
  },
});

describe("--check-determinism", () => {
  it("passes a deterministic worker and returns its run", async () => {
    const run = await checkDeterminism(scenario, { worker: "naive" });
    expect(run.traceHash).toMatch(/^[0-9a-f]{64}$/);
  });
  it("names the first record where two runs of one seed diverge", async () => {
    const error = await checkDeterminism(scenario, { worker: leaky, workerName: "leaky" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NondeterminismError);
    expect((error as Error).message).toMatch(/nondeterminism in worker leaky: two runs of seed 5 diverge at trace record \d+:\n {2}run 1: .*\n {2}run 2: /);
  });
});
