import { describe, expect, it } from "vitest";
import { World } from "../../sim/world.js";
import { buildEchoWorld } from "../../sim/echo-workload.js";
import type { HostFactory } from "../../sim/host.js";
import { DeterminismError, WorldAssertionError } from "../../sim/sim-errors.js";

const echoOptions = { durationMs: 60_000, hosts: 3 };

/** A host that sleeps `ms`, `times` times over. */
function sleeper(ms: number, times: number): HostFactory {
  return (ctx) => ({
    async run(signal) {
      for (let i = 1; i <= times; i++) await ctx.clock.sleepMs(ms, signal);
    },
  });
}

describe("World.step", () => {
  it("driving a world by hand gives the same trace as run", async () => {
    const byRun = buildEchoWorld({ seed: 11, ...echoOptions });
    const result = await byRun.run();
    expect(result.stoppedBy).toBe("quiescent");

    const byHand = buildEchoWorld({ seed: 11, ...echoOptions });
    let steps = 0;
    while (await byHand.step()) {
      steps++;
      expect(byHand.steps).toBe(steps);
    }
    expect(steps).toBe(result.steps);
    expect(byHand.nowMs).toBe(result.nowMs);
    expect(byHand.trace.hash()).toBe(byRun.trace.hash());
    expect(await byHand.step()).toBe(false);
  });

  it("mixes with run: run, a few steps, run again is the same run", async () => {
    const whole = buildEchoWorld({ seed: 5, ...echoOptions });
    await whole.run();
    const mixed = buildEchoWorld({ seed: 5, ...echoOptions });
    await mixed.run({ untilMs: 10_000 });
    for (let i = 0; i < 25; i++) expect(await mixed.step()).toBe(true);
    await mixed.run();
    expect(mixed.trace.hash()).toBe(whole.trace.hash());
  });

  it("lets the continuations of each event run before it returns", async () => {
    const world = new World({ seed: 1 });
    const woke: number[] = [];
    world.addHost({
      id: "h",
      factory: (ctx) => ({
        async run() {
          await ctx.clock.sleepMs(10);
          woke.push(ctx.clock.nowMs());
          await Promise.resolve();
          woke.push(ctx.clock.nowMs());
        },
      }),
    });
    expect(await world.step()).toBe(true); // host.start: the program runs up to its first sleep
    expect([world.nowMs, woke]).toEqual([0, []]);
    expect(await world.step()).toBe(true); // the timer: everything up to the program's end runs
    expect([world.nowMs, woke, world.host("h").state]).toEqual([10, [10, 10], "exited"]);
    expect(await world.step()).toBe(false);
  });

  it("skips events that will not run (cancelled, stale, held) and runs the next one", async () => {
    const world = new World({ seed: 1, traceSteps: true });
    world.addHost({ id: "h", factory: sleeper(10, 3) });
    const ran: string[] = [];
    world.schedule({ atMs: 5, label: "cancelled", run: () => ran.push("cancelled") }).cancelled = true;
    world.schedule({ atMs: 15, label: "pause", run: () => world.pause("h") });
    world.schedule({ atMs: 50, label: "resume", run: () => world.resume("h") });
    world.schedule({ atMs: 60, label: "later", run: () => ran.push("later") });
    const labels = async (): Promise<string> => {
      await world.step();
      return world.trace.ofKind("step").map((r) => `${r.atMs}:${String(r.data?.e)}`).at(-1)!;
    };
    expect(await labels()).toBe("0:host.start");
    expect(await labels()).toBe("10:timer"); // the cancelled event at 5 was skipped
    expect(await labels()).toBe("15:pause");
    expect(await labels()).toBe("50:resume"); // the host's timer at 20 was held, not run
    expect(await labels()).toBe("50:timer");
    expect(ran).toEqual([]);
  });

  it("rejects with the DeterminismError when world code reached for real time", async () => {
    const world = new World({ seed: 1 });
    world.addHost({ id: "h", factory: () => ({ run: async () => Date.now() }) });
    await expect(world.step()).rejects.toBeInstanceOf(DeterminismError);
    await expect(world.step()).rejects.toThrow(/Date\.now/);
  });
});

describe("World misuse throws WorldAssertionError", () => {
  function caught(fn: () => unknown): WorldAssertionError {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(WorldAssertionError);
      return error as WorldAssertionError;
    }
    throw new Error("expected a WorldAssertionError, nothing was thrown");
  }

  it("names the verb, what it expected and what it saw", async () => {
    const world = new World({ seed: 1 });
    world.addHost({ id: "h", factory: sleeper(10, 100) });
    await world.run({ untilMs: 25 });

    const past = caught(() => world.schedule({ atMs: 10, label: "late", run: () => undefined }));
    expect(past.operation).toBe("World.schedule");
    expect(past.context).toMatchObject({ atMs: 25, seen: "10ms" });
    expect(past.message).toMatch(/"late" at or after now \(25ms\), saw 10ms/);

    expect(caught(() => world.host("nobody")).context).toMatchObject({ operation: "World.host", hostId: "nobody" });
    expect(caught(() => world.crash("nobody")).hostId).toBe("nobody");
    expect(caught(() => world.schedule({ hostId: "nobody", label: "x", run: () => undefined })).operation).toBe("World.host");
    expect(caught(() => world.addHost({ id: "h", factory: sleeper(1, 1) })).operation).toBe("World.addHost");
    expect(caught(() => world.restart("h")).context).toMatchObject({ operation: "restart", seen: "running", hostId: "h" });
    expect(caught(() => world.resume("h")).context).toMatchObject({ operation: "resume", seen: "running" });
    expect(caught(() => world.setClockRate("h", 0)).context).toMatchObject({ operation: "setClockRate", seen: "0" });
    world.pause("h");
    expect(caught(() => world.pause("h")).context).toMatchObject({ operation: "pause", seen: "paused" });
    world.addHost({ id: "late", factory: sleeper(1, 1), startAtMs: 100 });
    expect(caught(() => world.pause("late")).context).toMatchObject({ operation: "pause", seen: "idle" });
    // A refused verb changes nothing: the trace has no record of it.
    expect(world.trace.records.filter((r) => r.kind.startsWith("host.")).map((r) => r.kind)).toEqual(["host.start", "host.pause"]);
  });
});
