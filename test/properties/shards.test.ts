import { describe, expect, it } from "vitest";
import { mergeSummaries } from "../../properties/merge-summaries.js";
import { runSweep, shardRange, type SweepSummary } from "../../properties/sweep.js";

const comparable = (s: SweepSummary) => ({ worker: s.worker, seed: s.seed, runs: s.runs, violations: s.violations, verdicts: s.verdicts, foundAtRun: s.counterexample?.foundAtRun, scenario: s.counterexample?.scenario.faults });

describe("shards: i/n slices of one generated sequence, together the unsharded sweep run for run", () => {
  it("slices are contiguous, disjoint and cover the sequence", () => {
    const ranges = [1, 2, 3, 4].map((index) => shardRange(1_001, { index, count: 4 }));
    expect(ranges[0]!.from).toBe(0);
    for (let i = 1; i < 4; i++) expect(ranges[i]!.from).toBe(ranges[i - 1]!.to);
    expect(ranges[3]!.to).toBe(1_001);
    expect(() => shardRange(10, { index: 5, count: 4 })).toThrow(/--shard: expected i\/n/);
  });

  for (const seed of [1, 2, 3]) {
    it(`fenced, seed ${seed}: the same per-run verdicts in the same order, and merge gives the unsharded summary`, { timeout: 120_000 }, async () => {
      const base = { worker: "fenced" as const, runs: 80, seed, threads: 1, collectVerdicts: true, outDir: undefined };
      const whole = await runSweep(base);
      const shards = [];
      for (let index = 1; index <= 4; index++) shards.push(await runSweep({ ...base, shard: { index, count: 4 } }));
      expect(shards.flatMap((s) => s.verdicts)).toEqual(whole.verdicts);
      expect(whole.verdicts).toHaveLength(80);
      expect(comparable(mergeSummaries(shards))).toEqual(comparable(whole));
    });
  }

  it("naive: the merged first counterexample is the unsharded one, and later shards are not counted", { timeout: 120_000 }, async () => {
    const base = { worker: "naive" as const, runs: 200, seed: 3, threads: 1, collectVerdicts: true, outDir: undefined };
    const whole = await runSweep(base);
    expect(whole.counterexample).toBeDefined();
    const shards = [];
    for (let index = 1; index <= 4; index++) shards.push(await runSweep({ ...base, shard: { index, count: 4 } }));
    expect(comparable(mergeSummaries(shards))).toEqual(comparable(whole));
  });

  it("merge refuses summaries of different sweeps or missing shards, naming the field", async () => {
    const a = await runSweep({ worker: "fenced", runs: 8, seed: 1, threads: 1, shard: { index: 1, count: 2 } });
    const b = await runSweep({ worker: "fenced", runs: 8, seed: 2, threads: 1, shard: { index: 2, count: 2 } });
    expect(() => mergeSummaries([a, b], ["a.json", "b.json"])).toThrow(/b.json: field seed: expected 1/);
    expect(() => mergeSummaries([a], ["a.json"])).toThrow(/expected shards 1\/2 to 2\/2, once each; found 1\/2/);
  });

  it("an interrupted sweep returns its partial summary", async () => {
    const stop = new AbortController();
    stop.abort();
    const s = await runSweep({ worker: "fenced", runs: 100, seed: 1, threads: 1, signal: stop.signal });
    expect(s.interrupted).toBe(true);
    expect(s.runs).toBe(0);
  });
});
