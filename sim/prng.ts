import seedrandom from "seedrandom";
import type { Random } from "../src/ports/random.js";

/**
 * The world's seeded randomness. One root stream per world; every consumer (a host, the network,
 * the Consul model, the tie-break of the event queue) gets its own stream forked by a label, so
 * adding draws in one place never shifts the numbers another place sees.
 *
 * Alea (from seedrandom) is used for speed: the event queue draws once per scheduled event.
 */
export class Prng implements Random {
  readonly seed: string;
  private readonly draw: () => number;

  constructor(seed: string | number) {
    this.seed = String(seed);
    this.draw = seedrandom.alea(this.seed);
  }

  /** A new independent stream, determined only by this stream's seed and `label`. */
  fork(label: string): Prng {
    return new Prng(`${this.seed}/${label}`);
  }

  /** A float in [0, 1). */
  next(): number {
    return this.draw();
  }

  /** An integer in [minIncl, maxIncl]. */
  int(minIncl: number, maxIncl: number): number {
    if (!(maxIncl >= minIncl)) throw new RangeError(`Prng.int: expected min <= max, got ${minIncl} > ${maxIncl}`);
    return minIncl + Math.floor(this.draw() * (maxIncl - minIncl + 1));
  }

  /** A float in [min, max). */
  float(min: number, max: number): number {
    return min + this.draw() * (max - min);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.draw() < p;
  }

  /** A 32-bit unsigned integer: used as the tie-break of equal-time events. */
  uint32(): number {
    return (this.draw() * 0x1_0000_0000) >>> 0;
  }

  /** A UUID-shaped id (8-4-4-4-12 hex), as Consul's session ids look. Deterministic. */
  uuid(): string {
    // Four draws in order, 32 hex digits, grouped 8-4-4-4-12.
    const a = hex8(this.uint32());
    const b = hex8(this.uint32());
    const c = hex8(this.uint32());
    const d = hex8(this.uint32());
    return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
  }
}

// The 256 byte values as two hex digits.
const hexBytes = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

// `n.toString(16).padStart(8, "0")` without Number#toString: for radix 16, V8 converts through a
// floating-point routine that calls fmod once per digit (callgrind: ~0.6% of a fenced run, which
// draws a dozen session ids). The same digits, from a table.
function hex8(n: number): string {
  return hexBytes[n >>> 24]! + hexBytes[(n >>> 16) & 255]! + hexBytes[(n >>> 8) & 255]! + hexBytes[n & 255]!;
}
