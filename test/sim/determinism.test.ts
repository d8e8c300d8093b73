import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { buildEchoWorld } from "../../sim/echo-workload.js";
import { World } from "../../sim/world.js";
import type { HostFactory } from "../../sim/host.js";

const run = promisify(execFile);

async function echoHash(seed: string | number, durationMs: number): Promise<string> {
  const world = buildEchoWorld({ seed, durationMs });
  const result = await world.run();
  expect(result.stoppedBy).toBe("quiescent");
  return world.trace.hash();
}

describe("determinism", () => {
  it("gives a byte-identical trace for the same seed, within one process", async () => {
    const a = buildEchoWorld({ seed: "same", durationMs: 600_000 });
    const b = buildEchoWorld({ seed: "same", durationMs: 600_000 });
    await a.run();
    await b.run();
    expect(a.trace.records.length).toBeGreaterThan(5_000);
    // Five hosts, timers and network calls all appear in the trace.
    const kinds = new Set(a.trace.records.map((r) => r.kind));
    expect([...kinds]).toEqual(expect.arrayContaining(["step", "net.send", "net.recv", "host.start", "host.exit"]));
    expect(new Set(a.trace.records.map((r) => r.host)).size).toBe(6);
    expect(a.trace.text()).toBe(b.trace.text());
    expect(a.trace.hash()).toBe(b.trace.hash());
  });

  it("gives the same hash in another process", async () => {
    const here = await echoHash("cross-process", 600_000);
    const { stdout } = await run("node_modules/.bin/vite-node", ["test/fixtures/echo-hash.ts", "cross-process", "600000"], {
      cwd: process.cwd(),
    });
    expect(stdout.trim()).toBe(here);
  });

  it("explores different orderings of equal-time events across seeds", async () => {
    // Every host wakes at exactly the same virtual times and every latency is 1ms, so the only
    // thing that differs between seeds is the seeded tie-break among equal-time events.
    const factory: HostFactory = (ctx) => ({
      async run() {
        for (let i = 0; i < 3; i++) {
          await ctx.clock.sleepMs(1_000);
          await ctx.call("echo", { i }, { timeoutMs: 100, op: "echo" });
        }
      },
    });
    const hashOf = async (seed: number): Promise<string> => {
      const world = new World({ seed });
      world.network.register("echo", (r) => r);
      for (let h = 1; h <= 5; h++) {
        world.addHost({ id: `h${h}`, factory });
        world.network.configure(`h${h}`, { latencyMsMin: 1, latencyMsMax: 1 });
      }
      await world.run();
      return world.trace.hash();
    };
    let differing = 0;
    for (let i = 0; i < 100; i++) {
      if ((await hashOf(2 * i)) !== (await hashOf(2 * i + 1))) differing++;
    }
    expect(differing).toBeGreaterThanOrEqual(95);
  });

  it("different seeds of the standard workload give different traces", async () => {
    const hashes = new Set<string>();
    for (let seed = 0; seed < 20; seed++) hashes.add(await echoHash(seed, 30_000));
    expect(hashes.size).toBe(20);
  });
});
