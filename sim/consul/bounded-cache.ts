/**
 * A memo for values computed from input strings that repeat across runs (durations such as "15s",
 * session create bodies): every simulated run builds a fresh model, but workers send the same few
 * strings again and again. Any input may enter, so it is bounded: when full it forgets everything,
 * which costs one recomputation per entry and never a wrong answer (values depend only on the key).
 * Values must not be mutated by their users: one value may be handed to many callers and runs.
 */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();

  /** @param entriesMax how many entries it holds before it forgets them all. */
  constructor(private readonly entriesMax: number) {}

  /** The value kept for `key`, if any. */
  get(key: K): V | undefined {
    return this.map.get(key);
  }

  /** Keeps `value` for `key` (forgetting everything first when full) and returns it. */
  set(key: K, value: V): V {
    if (this.map.size >= this.entriesMax) this.map.clear();
    this.map.set(key, value);
    return value;
  }
}
