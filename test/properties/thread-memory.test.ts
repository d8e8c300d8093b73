import { setImmediate as nextMacrotask } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { LiveMemoryWatch } from "../../properties/thread-memory.js";

/**
 * Allocates garbage in large objects (each goes to the large-object space, which counts toward the
 * old generation) until the watch has seen `fullGcs` more full GCs: V8 runs a full GC when the old
 * generation grows, so this brings one about without --expose-gc.
 */
async function untilFullGcs(watch: LiveMemoryWatch, fullGcs: number): Promise<void> {
  let seen = 0;
  let last = watch.liveMb;
  let garbage: number[][] = [];
  for (let i = 0; i < 20_000 && seen < fullGcs; i++) {
    garbage.push(new Array<number>(200_000).fill(i));
    if (garbage.length > 20) garbage = [];
    // The observer's callback runs on a later turn of the event loop.
    await nextMacrotask();
    if (watch.liveMb !== last) {
      seen++;
      last = watch.liveMb;
    }
  }
  if (seen < fullGcs) throw new Error(`expected ${fullGcs} full GC(s), saw ${seen}`);
}

describe("LiveMemoryWatch: what a sweep thread keeps, read after a full GC", () => {
  it("counts kept buffers and kept heap objects, and lets go of them when they are dropped", { timeout: 60_000 }, async () => {
    const watch = new LiveMemoryWatch();
    try {
      await untilFullGcs(watch, 1);
      const before = watch.liveMb!;
      // 64 MB outside the heap (a typed array's buffer) and about 32 MB in it, both kept.
      let keptBuffer: Float64Array | undefined = new Float64Array(8 * 2 ** 20).fill(1);
      let keptObjects: { n: number; s: string }[] | undefined = Array.from({ length: 500_000 }, (_, n) => ({ n, s: `o${n}` }));
      await untilFullGcs(watch, 2);
      const kept = watch.liveMb!;
      expect(kept - before).toBeGreaterThan(64 + 16);
      expect(keptBuffer[0]! + keptObjects.length).toBe(500_001);
      keptBuffer = undefined;
      keptObjects = undefined;
      await untilFullGcs(watch, 2);
      expect(watch.liveMb!).toBeLessThan(kept - 64);
    } finally {
      watch.stop();
    }
  });
});
