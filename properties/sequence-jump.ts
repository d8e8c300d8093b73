import fc from "fast-check";
import { xorshift128plus, xorshift128plusFromState } from "pure-rand/generator/xorshift128plus";

/**
 * The generated values of a sweep's sequence from any index, in time independent of the index.
 *
 * `fc.sample(arb, { seed, path: String(start), numRuns })` gives the values fast-check's runner
 * would generate at indexes start…start+numRuns-1, but it reaches `start` by jumping its random
 * generator once per index skipped (lazyToss and pathWalk in fast-check's Tosser and PathWalker):
 * 612 ms for a batch at run 750,000, against 70 ms to run the batch. A 1,000,000-run sweep spent
 * most of its time skipping, and shard 4/4 of it skipped 750,000 runs per batch.
 *
 * Here value i is built as fast-check builds it: `arb.generate(new Random(rng), runIdToFrequency(i))`
 * where `rng` is the seed's xorshift128+ generator (fast-check's default) jumped i+1 times. A jump
 * of xorshift128+ is a linear map over GF(2) on its 128-bit state, so i+1 jumps are the product of
 * the precomputed powers J^(2^k) for the bits of i+1. A test compares this with fc.sample at many
 * indexes and seeds, so a fast-check release that changes how it generates fails it, not a sweep.
 */

/** A linear map on the 128-bit state: column b is the image of state bit b, as 4 int32 words. */
type StateMap = Int32Array;

const stateBits = 128;

// The image of `state` (4 words) under `map`.
function apply(map: StateMap, state: ArrayLike<number>): Int32Array {
  const out = new Int32Array(4);
  for (let b = 0; b < stateBits; b++) {
    if ((state[b >>> 5]! >>> (b & 31)) & 1) {
      const c = b * 4;
      out[0]! ^= map[c]!;
      out[1]! ^= map[c + 1]!;
      out[2]! ^= map[c + 2]!;
      out[3]! ^= map[c + 3]!;
    }
  }
  return out;
}

// J^(2^k) for k = 0, 1, …: index k. Built on first use (about 5 ms), then shared.
const jumpPowers: StateMap[] = [];

function jumpPower(k: number): StateMap {
  if (jumpPowers.length === 0) {
    const j = new Int32Array(stateBits * 4);
    for (let b = 0; b < stateBits; b++) {
      const unit = [0, 0, 0, 0];
      unit[b >>> 5] = 1 << (b & 31);
      const rng = xorshift128plusFromState(unit);
      rng.jump();
      j.set(rng.getState(), b * 4);
    }
    jumpPowers.push(j);
  }
  while (jumpPowers.length <= k) {
    const last = jumpPowers[jumpPowers.length - 1]!;
    const squared = new Int32Array(stateBits * 4);
    for (let b = 0; b < stateBits; b++) squared.set(apply(last, last.subarray(b * 4, b * 4 + 4)), b * 4);
    jumpPowers.push(squared);
  }
  return jumpPowers[k]!;
}

/** fast-check's seed reading (readSeed): an integer in int32 range as is, else folded to 32 bits. */
function seed32Of(seed: number): number {
  const seed32 = seed | 0;
  return seed === seed32 ? seed32 : seed32 ^ ((seed - seed32) * 4294967296);
}

/** The seed's generator jumped `jumps` times, in O(log jumps). */
function jumpedGenerator(seed: number, jumps: number): ReturnType<typeof xorshift128plusFromState> {
  let state: ArrayLike<number> = xorshift128plus(seed32Of(seed)).getState();
  for (let k = 0, n = jumps; n > 0; k++, n = Math.floor(n / 2)) if (n % 2 === 1) state = apply(jumpPower(k), state);
  return xorshift128plusFromState(Array.from(state));
}

/** fast-check's bias for a run (runIdToFrequency): 2 + ⌊log10(i + 1)⌋. */
function biasOf(index: number): number {
  return 2 + ~~(Math.log(index + 1) * 0.4342944819032518);
}

/**
 * The values at indexes start…start+count-1 of fast-check's sequence for `seed`: what
 * `fc.sample(arb, { seed, path: String(start), numRuns: count })` returns, without the skip.
 */
export function sampleAt<T>(arb: fc.Arbitrary<T>, options: { seed: number; start: number; count: number }): T[] {
  const { seed, start, count } = options;
  if (!Number.isSafeInteger(start) || start < 0) throw new RangeError(`sampleAt: expected a start index ≥ 0; found ${start}`);
  const rng = jumpedGenerator(seed, start + 1);
  const values: T[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) rng.jump();
    values.push(arb.generate(new fc.Random(rng), biasOf(start + i)).value_);
  }
  return values;
}

/**
 * Runs `build` with fast-check's global configuration at its defaults, then restores the caller's.
 * A user's test setup may call `fc.configureGlobal` (another random generator, `unbiased`, a
 * `baseSize`, hooks) for its own properties; a sweep is defined by its seed alone, so that its
 * threads (which never see that configuration), its shards and its saved paths mean the same runs,
 * and its shrinking replays the run the sweep found (it failed as "nondeterminism" before).
 * fast-check reads the configuration when an arbitrary or property is built and when `check` is
 * called, synchronously: wrap those, not the awaiting. Two limits: an arbitrary that builds others
 * while it generates or shrinks (`chain`, `letrec`, `fc.gen`) would read it then, outside this
 * (scenarioArb has none), and global plugins (`fc.installGlobalPlugin`, fast-check 4.10) are
 * not configuration: fast-check offers no way to set them aside, so they still reach shrinking.
 */
export function withDefaultFastCheck<T>(build: () => T): T {
  const saved = fc.readConfigureGlobal();
  fc.resetConfigureGlobal();
  try {
    return build();
  } finally {
    fc.configureGlobal(saved);
  }
}
