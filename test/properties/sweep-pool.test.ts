import { describe, expect, it } from "vitest";
import type { BatchResult, BatchSpec } from "../../properties/sweep-batch.js";
import { shouldRetire, SweepPool, threadHeapMb, threadRetireGrowthMb, threadRetireLiveMb, threadRetireMarginMb, threadRunsWithoutFigureMax } from "../../properties/sweep-pool.js";
import { checkNames, type CheckName } from "../../sim/scenario/scenario-schema.js";

/** A batch result with no violation and no counterexample: the case in which the threads start. */
function cleanResult(spec: BatchSpec): BatchResult {
  const violations = Object.fromEntries(checkNames.map((c) => [c, 0])) as Record<CheckName, number>;
  return { ...spec, ran: spec.count, violations, workerFailures: 0, overlaps: [], marks: {} };
}

/** A pool of two threads whose in-process batch ends only when the test says so. */
function poolWithHeldBatch(): { pool: SweepPool; started: Promise<BatchSpec>; finish(): void } {
  let finish!: () => void;
  let began!: (spec: BatchSpec) => void;
  const started = new Promise<BatchSpec>((resolve) => (began = resolve));
  const pool = new SweepPool(2, {
    sequence: { seed: 1, workerName: "naive", faultTypes: [] },
    worker: { kind: "naive" },
    collectVerdicts: false,
    inProcess: (spec) => {
      began(spec);
      return new Promise((resolve) => (finish = () => resolve(cleanResult(spec))));
    },
  });
  return { pool, started, finish: () => finish() };
}

describe("SweepPool: closed means closed", () => {
  // The pool starts its threads when its first, in-process batch ends without a counterexample. A
  // sweep that found its counterexample elsewhere closes the pool while that batch still runs; the
  // batch ending afterwards used to start the threads anyway, and they kept the process alive
  // (`npm run bench` never exited).
  it("an in-process batch that ends after close() starts no thread, and close() resolves", async () => {
    const { pool, started, finish } = poolWithHeldBatch();
    const batch = pool.run({ start: 0, count: 50 });
    expect(await started).toEqual({ start: 0, count: 50 });
    await expect(pool.close()).resolves.toBeUndefined();
    finish();
    // The batch still answers (it was running, not queued), and only then would threads start.
    expect((await batch).ran).toBe(50);
    expect(pool.threadsStarted).toBe(0);
  });

  it("control: the same batch ending before close() does start the threads", async () => {
    const { pool, started, finish } = poolWithHeldBatch();
    const batch = pool.run({ start: 0, count: 50 });
    await started;
    finish();
    await batch;
    // Under vitest the threads' compiled script does not exist (poolAvailable() is false), so they
    // fail to load; what matters here is that the pool tried to start them.
    expect(pool.threadsStarted).toBe(2);
    await pool.close();
  });
});

// A sweep thread is replaced for what it keeps after a full GC, not for how many runs it ran: a
// fresh thread costs about a second of compiling, and the reference workers keep nothing.
describe("shouldRetire: when a sweep thread is replaced", () => {
  it("a thread that keeps little is never retired, however many runs it answers", () => {
    const memory = { runs: 0 };
    for (let i = 0; i < 10_000; i++) expect(shouldRetire(memory, 50, 20 + (i % 7))).toBe(false);
    expect(memory.runs).toBe(500_000);
  });

  it("one that keeps memory from run to run is retired at the bound", () => {
    const memory = { runs: 0 };
    expect(shouldRetire(memory, 50, 30)).toBe(false);
    expect(shouldRetire(memory, 50, threadRetireLiveMb - 1)).toBe(false);
    expect(shouldRetire(memory, 50, threadRetireLiveMb)).toBe(true);
  });

  it("one that holds much from its start is retired on growth over its first figure, not at once", () => {
    const memory = { runs: 0 };
    expect(shouldRetire(memory, 50, 150)).toBe(false);
    expect(shouldRetire(memory, 50, 150 + threadRetireGrowthMb - 1)).toBe(false);
    expect(shouldRetire(memory, 50, 150 + threadRetireGrowthMb)).toBe(true);
  });

  it("but never at a bound past the heap limit less a margin, which it would die of first", () => {
    const memory = { runs: 0 };
    expect(shouldRetire(memory, 50, 210)).toBe(false);
    expect(shouldRetire(memory, 50, threadHeapMb - threadRetireMarginMb - 1)).toBe(false);
    expect(shouldRetire(memory, 50, threadHeapMb - threadRetireMarginMb)).toBe(true);
  });

  it("one that never reports a figure (no full GC seen) is retired after a bound on runs, as a backstop", () => {
    const memory = { runs: 0 };
    for (let runs = 50; runs < threadRunsWithoutFigureMax; runs += 50) expect(shouldRetire(memory, 50, undefined)).toBe(false);
    expect(shouldRetire(memory, 50, undefined)).toBe(true);
  });
});
