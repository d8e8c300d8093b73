import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sampleAt } from "../../properties/sequence-jump.js";
import { scenarioArb } from "../../properties/scenario-arbitrary.js";

// sampleAt must give exactly what fast-check's path replay gives, or sweeps, shards, saved
// counterexample paths and every count in the README would silently change meaning.
describe("sampleAt: fast-check's sequence from any index, without the skip", () => {
  const arb = scenarioArb({ worker: "fenced" });

  it("equals fc.sample with a path, at many indexes and seeds (negative, int32, uint32, past 2^32)", () => {
    for (const seed of [1, 7, -5, 2 ** 31 - 1, 3_000_000_000, 2 ** 32 + 17]) {
      for (const start of [0, 1, 2, 9, 10, 99, 1000, 4321]) {
        const ours = sampleAt(arb, { seed, start, count: 3 });
        const theirs = fc.sample(arb, { seed, path: String(start), numRuns: 3 });
        expect(ours, `seed ${seed}, start ${start}`).toEqual(theirs);
      }
    }
  });

  it("agrees far out too (the jump powers of high bits), where fast-check's own skip takes most of a second", () => {
    for (const start of [65_535, 750_001]) expect(sampleAt(arb, { seed: 1, start, count: 2 })).toEqual(fc.sample(arb, { seed: 1, path: String(start), numRuns: 2 }));
  });

  it("a batch is the sequence's slice: later starts agree with one long sample", () => {
    const whole = fc.sample(fc.tuple(fc.nat(), fc.string()), { seed: 42, numRuns: 300 });
    for (const start of [0, 50, 137, 250]) expect(sampleAt(fc.tuple(fc.nat(), fc.string()), { seed: 42, start, count: 50 })).toEqual(whole.slice(start, start + 50));
  });

  it("refuses a negative or fractional start", () => {
    expect(() => sampleAt(arb, { seed: 1, start: -1, count: 1 })).toThrow(RangeError);
    expect(() => sampleAt(arb, { seed: 1, start: 1.5, count: 1 })).toThrow(RangeError);
  });
});
