/**
 * The only source of randomness for worker code (jitter, backoff). The simulator hands each host a
 * seeded stream forked from the world's PRNG, so the same seed draws the same numbers.
 */
export interface Random {
  /** A number in [0, 1). */
  next(): number;
}
