import { describe, expect, it } from "vitest";
import { Prng } from "../../sim/prng.js";

// Session ids are part of every trace: the table-driven hex of sim/prng.ts must give exactly the
// digits Number#toString(16) gives, padded to 8, for every 32-bit value it can meet.
describe("Prng.uuid", () => {
  it("writes each draw as the same 8 hex digits as toString(16), including 0 and 2^32-1", () => {
    const reference = (n: number): string => n.toString(16).padStart(8, "0");
    const edges = [0, 1, 15, 16, 255, 256, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0x0000_ff00, 0x00ff_0000];
    for (const n of edges) {
      // A stub draw that returns n / 2^32 makes uint32() return n exactly.
      const prng = new Prng("x");
      Object.defineProperty(prng, "draw", { value: () => n / 0x1_0000_0000 });
      const [a, b, c, d] = [reference(n), reference(n), reference(n), reference(n)];
      expect(prng.uuid()).toBe(`${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`);
    }
  });

  it("matches toString(16) over many seeded draws", () => {
    const ids = new Prng("uuid-check");
    const draws = new Prng("uuid-check");
    for (let i = 0; i < 2_000; i++) {
      const parts = [draws.uint32(), draws.uint32(), draws.uint32(), draws.uint32()].map((n) => n.toString(16).padStart(8, "0"));
      const [a, b, c, d] = parts as [string, string, string, string];
      expect(ids.uuid()).toBe(`${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`);
    }
  });
});
