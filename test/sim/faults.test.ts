import { describe, expect, it } from "vitest";
import { World } from "../../sim/world.js";
import type { HostFactory } from "../../sim/host.js";

/**
 * A client that loops forever: sleep 100ms, call echo (time-out 50ms), record the outcome.
 * With a fixed 10ms latency each way a call sent at t answers at t+20, so every event has an exact
 * expected time.
 */
const client: HostFactory = (ctx) => ({
  async run(signal) {
    for (let i = 1; !signal.aborted; i++) {
      await ctx.clock.sleepMs(100, signal);
      try {
        await ctx.call("echo", { i }, { timeoutMs: 50, signal, op: "echo" });
      } catch {
        // time-outs are expected under faults; the trace shows them
      }
    }
  },
});

function setup(seed = 1): { world: World; delivered: number[] } {
  const world = new World({ seed, horizonMs: 1_000 });
  const delivered: number[] = [];
  world.network.register("echo", (request) => {
    delivered.push(world.nowMs);
    return request;
  });
  world.addHost({ id: "c", factory: client });
  world.network.configure("c", { latencyMsMin: 10, latencyMsMax: 10 });
  return { world, delivered };
}

function at(world: World, atMs: number, fault: () => void): void {
  world.schedule({ atMs, label: "fault", run: fault });
}

/** The trace without step records, as "t host kind [detail]" strings. */
function story(world: World, untilMs = Infinity): string[] {
  return world.trace.records
    .filter((r) => r.kind !== "step" && r.atMs <= untilMs)
    .map((r) => {
      const d = r.data ?? {};
      const extra = "dir" in d ? ` ${String(d.dir)}` : "incarnation" in d ? ` #${String(d.incarnation)}` : "held" in d ? ` held=${String(d.held)}` : "";
      return `${r.atMs} ${r.host} ${r.kind}${extra}`;
    });
}

describe("faults", () => {
  it("runs the fault-free baseline exactly on time", async () => {
    const { world, delivered } = setup();
    await world.run({ untilMs: 250 });
    expect(story(world)).toEqual([
      "0 c host.start #0",
      "100 c net.send",
      "120 c net.recv",
      "220 c net.send",
      "240 c net.recv",
    ]);
    expect(delivered).toEqual([110, 230]);
  });

  it("crash drops the host's pending response and timers for good", async () => {
    const { world, delivered } = setup();
    at(world, 115, () => world.crash("c"));
    const result = await world.run();
    expect(story(world)).toEqual(["0 c host.start #0", "100 c net.send", "115 c host.crash"]);
    // The request reached the service before the crash; nothing of the host ran afterwards.
    expect(delivered).toEqual([110]);
    expect(result.stoppedBy).toBe("quiescent");
  });

  it("restart builds a fresh instance from the factory", async () => {
    const { world } = setup();
    at(world, 115, () => world.crash("c"));
    at(world, 300, () => world.restart("c"));
    await world.run({ untilMs: 430 });
    expect(story(world)).toEqual([
      "0 c host.start #0",
      "100 c net.send",
      "115 c host.crash",
      "300 c host.start #1",
      "400 c net.send",
      "420 c net.recv",
    ]);
    expect(world.host("c").incarnation).toBe(1);
  });

  it("pause holds the host's events; resume fires them in the order they came due", async () => {
    const { world } = setup();
    at(world, 105, () => world.pause("c"));
    at(world, 500, () => world.resume("c"));
    await world.run({ untilMs: 630 });
    // The response (due 120) and the time-out (due 150) were both held; the response fires first,
    // so the call succeeds late and the time-out finds it settled. Then the loop goes on.
    expect(story(world)).toEqual([
      "0 c host.start #0",
      "100 c net.send",
      "105 c host.pause",
      "500 c host.resume held=2",
      "500 c net.recv",
      "600 c net.send",
      "620 c net.recv",
    ]);
  });

  it("a lost request never reaches the service; the caller times out", async () => {
    const { world, delivered } = setup();
    world.network.loseNext("c", "request");
    await world.run({ untilMs: 255 });
    expect(story(world)).toEqual([
      "0 c host.start #0",
      "100 c net.send",
      "100 c net.lost request",
      "150 c net.timeout",
      "250 c net.send",
    ]);
    expect(delivered).toEqual([]);
  });

  it("a lost response: the service acted, the caller times out", async () => {
    const { world, delivered } = setup();
    world.network.loseNext("c", "response");
    await world.run({ untilMs: 255 });
    expect(story(world)).toEqual([
      "0 c host.start #0",
      "100 c net.send",
      "110 c net.lost response",
      "150 c net.timeout",
      "250 c net.send",
    ]);
    expect(delivered).toEqual([110]);
  });

  it("partition loses every call until heal", async () => {
    const { world, delivered } = setup();
    at(world, 50, () => world.network.partition("c", "both"));
    at(world, 350, () => world.network.heal("c"));
    await world.run({ untilMs: 430 });
    expect(story(world)).toEqual([
      "0 c host.start #0",
      "50 c net.partition",
      "100 c net.send",
      "100 c net.lost request",
      "150 c net.timeout",
      "250 c net.send",
      "250 c net.lost request",
      "300 c net.timeout",
      "350 c net.heal",
      "400 c net.send",
      "420 c net.recv",
    ]);
    expect(delivered).toEqual([410]);
  });

  it("a responses-only partition lets requests through and loses the answers", async () => {
    const { world, delivered } = setup();
    world.network.partition("c", "responses");
    await world.run({ untilMs: 160 });
    expect(story(world)).toEqual([
      "0 c net.partition",
      "0 c host.start #0",
      "100 c net.send",
      "110 c net.lost response",
      "150 c net.timeout",
    ]);
    expect(delivered).toEqual([110]);
  });

  it("a bound ends the run and says which bound and what was pending", async () => {
    const { world } = setup();
    const result = await world.run();
    expect(result.stoppedBy).toBe("horizonMs");
    expect(result.message).toMatch(/stopped by bound horizonMs \(1000ms of virtual time\) at t=1000ms/);
    expect(result.message).toMatch(/still pending: 1 events \(c:timer×1\)/);
    const small = new World({ seed: 1, stepsMax: 10 });
    small.addHost({ id: "c", factory: client });
    small.network.register("echo", (r) => r);
    const r2 = await small.run();
    expect(r2.stoppedBy).toBe("stepsMax");
    expect(r2.message).toMatch(/stopped by bound stepsMax \(10 events\)/);
  });
});
