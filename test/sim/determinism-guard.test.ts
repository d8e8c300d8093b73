import { describe, expect, it } from "vitest";
import { World } from "../../sim/world.js";
import { DeterminismError } from "../../sim/sim-errors.js";
import { randomInt, randomUUID as nodeRandomUUID } from "node:crypto";

// Saved after locksim loaded (the guard is installed for good when sim/ loads), as a worker
// module might do at import time.
const savedNow = Date.now;
const savedSetTimeout = setTimeout;

function worldWith(body: () => unknown, options: { swallow?: boolean } = {}): World {
  const world = new World({ seed: 7 });
  world.addHost({
    id: "offender",
    factory: (ctx) => ({
      async run() {
        await ctx.clock.sleepMs(10);
        if (options.swallow) {
          try {
            body();
          } catch {
            // A worker that swallows the error must not hide the violation.
          }
        } else {
          body();
        }
      },
    }),
  });
  return world;
}

describe("determinism guard", () => {
  const offenders: [string, () => unknown][] = [
    ["Date.now", () => Date.now()],
    ["new Date()", () => new Date()],
    ["Math.random", () => Math.random()],
    ["setTimeout", () => setTimeout(() => undefined, 1)],
    ["setInterval", () => setInterval(() => undefined, 1)],
    ["setImmediate", () => setImmediate(() => undefined)],
    ["performance.now", () => performance.now()],
    ["crypto.randomUUID", () => crypto.randomUUID()],
    ["crypto.randomUUID", () => nodeRandomUUID()],
    ["crypto.randomInt", () => randomInt(10)],
    ["Date.now", () => savedNow()],
    ["setTimeout", () => savedSetTimeout(() => undefined, 1)],
    ["performance.timeOrigin", () => performance.timeOrigin],
    ["process.hrtime", () => process.hrtime()],
    ["fetch", () => fetch("http://127.0.0.1:9/")],
  ];

  for (const [call, body] of offenders) {
    it(`fails the run when world code calls ${call}, naming the call`, async () => {
      const run = worldWith(body).run();
      await expect(run).rejects.toBeInstanceOf(DeterminismError);
      await expect(worldWith(body).run()).rejects.toThrow(`${call} was called inside the simulated world`);
    });
  }

  it("fails the run even when the worker swallows the error", async () => {
    await expect(worldWith(() => Math.random(), { swallow: true }).run()).rejects.toThrow(/Math\.random.*host offender, t=10ms/);
  });

  it("leaves deterministic date arithmetic alone", async () => {
    const world = worldWith(() => new Date(0).toISOString());
    await expect(world.run()).resolves.toMatchObject({ stoppedBy: "quiescent" });
    expect(world.hostFailures).toEqual([]);
  });

  it("lets the test runner's own timers and clock work during and after a run", async () => {
    let fired = false;
    const timer = new Promise<void>((resolve) =>
      setTimeout(() => {
        fired = Date.now() > 0 && Math.random() < 1;
        resolve();
      }, 1),
    );
    const world = new World({ seed: 1 });
    world.addHost({
      id: "sleeper",
      factory: (ctx) => ({
        async run() {
          for (let i = 0; i < 20_000; i++) await ctx.clock.sleepMs(1);
        },
      }),
    });
    await world.run();
    await timer;
    expect(fired).toBe(true);
    expect(typeof Date.now()).toBe("number");
    expect(Date).toBe(globalThis.Date);
  });

  it("keeps worlds that run concurrently in one thread apart: only the offender's world fails, and code around them is left alone", async () => {
    const sleeper = (seed: number): World => {
      const world = new World({ seed });
      world.addHost({
        id: "sleeper",
        factory: (ctx) => ({
          async run() {
            for (let i = 0; i < 3_000; i++) await ctx.clock.sleepMs(1);
          },
        }),
      });
      return world;
    };
    // Code outside every world, running between their steps on real macrotasks.
    let outsideReads = 0;
    const outside = (async () => {
      for (let i = 0; i < 50; i++) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (Date.now() > 0 && performance.now() >= 0) outsideReads++;
      }
    })();
    const clean = sleeper(1);
    const offender = worldWith(() => Date.now());
    const [a, b, c, d] = await Promise.allSettled([clean.run(), offender.run(), sleeper(2).run(), outside]);
    expect(a.status).toBe("fulfilled");
    expect(b.status === "rejected" && b.reason instanceof DeterminismError && /Date\.now.*host offender, t=10ms/.test(String(b.reason.message))).toBe(true);
    expect(c.status).toBe("fulfilled");
    expect(d.status).toBe("fulfilled");
    expect(outsideReads).toBe(50);
    expect(clean.steps).toBeGreaterThan(3_000);
  });
});

