import { setImmediate as nextMacrotask } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { LiveMemoryWatch } from "../../properties/thread-memory.js";

// A full GC on demand, so that each figure holds what is kept and no garbage: V8's `gc`, exposed
// by its flag and read from a fresh context (the flag applies to contexts made after it is set).
setFlagsFromString("--expose-gc");
const fullGc = runInNewContext("gc") as () => void;

/** Runs a full GC and waits for the watch's figure of it (Node reports GCs on a later turn). */
async function figureAfterFullGc(watch: LiveMemoryWatch): Promise<number> {
  const seen = watch.fullGcs;
  fullGc();
  for (let i = 0; i < 1_000 && watch.fullGcs === seen; i++) await nextMacrotask();
  if (watch.fullGcs === seen) throw new Error("expected the watch to report the full GC");
  return watch.liveMb!;
}

describe("LiveMemoryWatch: what a sweep thread keeps, read after a full GC", () => {
  it("counts kept buffers and kept heap objects, and lets go of them when they are dropped", { timeout: 60_000 }, async () => {
    const watch = new LiveMemoryWatch();
    try {
      expect(watch.liveMb).toBeUndefined();
      const before = await figureAfterFullGc(watch);
      // 64 MB outside the heap (a typed array's buffer) and about 30 MB in it, both kept. The
      // heap alone would read about 30 MB more: the bound below fails without external memory.
      let keptBuffer: Float64Array | undefined = new Float64Array(8 * 2 ** 20).fill(1);
      let keptObjects: { n: number; s: string }[] | undefined = Array.from({ length: 500_000 }, (_, n) => ({ n, s: `o${n}` }));
      const kept = await figureAfterFullGc(watch);
      expect(kept - before).toBeGreaterThan(64 + 16);
      expect(keptBuffer[0]! + keptObjects.length).toBe(500_001);
      keptBuffer = undefined;
      keptObjects = undefined;
      // A dropped buffer's memory is released by V8's concurrent sweeper, after its GC: the next
      // full GC's figure no longer counts it.
      await figureAfterFullGc(watch);
      expect(await figureAfterFullGc(watch)).toBeLessThan(kept - 64);
    } finally {
      watch.stop();
    }
  });
});
