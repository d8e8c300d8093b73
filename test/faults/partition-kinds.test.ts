import { describe, expect, it } from "vitest";
import { ConsulModel } from "../../sim/consul/consul-model.js";
import { SimConsulPort } from "../../sim/sim-consul-port.js";
import { World } from "../../sim/world.js";
import { defaultClientDeadline, goClientDeadline, type ClientDeadline } from "../../src/client-deadline.js";
import { ConsulUnavailableError } from "../../src/errors.js";
import type { ConsulPort } from "../../src/ports/consul-port.js";

/** What one call ended with, and when (virtual ms). */
interface Outcome {
  atMs: number;
  value?: unknown;
  error?: unknown;
}

/**
 * A world with the Consul model and one host "w1" whose port has `deadline`; `script` runs on it.
 * Latency is fixed at 2 ms each way so times are exact.
 */
async function inWorld(deadline: ClientDeadline, script: (port: ConsulPort, world: World) => Promise<void>): Promise<World> {
  const world = new World({ seed: "partition-kinds", horizonMs: 3_600_000 });
  new ConsulModel(world);
  world.network.configure("w1", { latencyMsMin: 2, latencyMsMax: 2 });
  world.addHost({ id: "w1", factory: (ctx) => ({ run: () => script(new SimConsulPort(ctx, "consul", deadline), world) }) });
  await world.run();
  return world;
}

async function outcome(world: World, p: Promise<unknown>): Promise<Outcome> {
  try {
    const value = await p;
    return { atMs: world.nowMs, value };
  } catch (error) {
    return { atMs: world.nowMs, error };
  }
}

const kinds = (world: World, kind: string): number[] => world.trace.records.filter((r) => r.kind === kind).map((r) => r.atMs);

describe("a reject partition fails calls at once (simulator)", () => {
  it("a request into a reject partition fails with a transport error within one latency, even with the Go client's no-time-out deadline", async () => {
    let out: Outcome | undefined;
    const world = await inWorld(goClientDeadline, async (port, w) => {
      w.network.partition("w1", "both", "reject");
      out = await outcome(w, port.sessionCreate({ ttlMs: 15_000 }));
    });
    expect(out!.error).toBeInstanceOf(ConsulUnavailableError);
    expect(String((out!.error as Error).message)).toMatch(/connection refused \(partition: reject\)/);
    expect(out!.atMs).toBeLessThanOrEqual(2);
    expect(kinds(world, "net.reset")).toEqual([0]);
    // Consul never saw it.
    expect(kinds(world, "consul.session.create")).toEqual([]);
  });

  it("a responses-only reject: Consul acts, and the caller gets a reset instead of the answer", async () => {
    let acquire: Outcome | undefined;
    let after: Outcome | undefined;
    await inWorld(defaultClientDeadline, async (port, w) => {
      const session = await port.sessionCreate({ ttlMs: 15_000 });
      w.network.partition("w1", "responses", "reject");
      const sentAtMs = w.nowMs;
      acquire = await outcome(w, port.kvPut("k", "v", { acquire: session }));
      acquire.atMs -= sentAtMs;
      w.network.heal("w1");
      after = await outcome(w, port.kvGet("k"));
    });
    expect(acquire!.error).toBeInstanceOf(ConsulUnavailableError);
    expect(String((acquire!.error as Error).message)).toMatch(/reset after the server acted/);
    expect(acquire!.atMs).toBe(4);
    expect((after!.value as { entry: { session?: string } | null }).entry?.session).toBeDefined();
  });
});

describe("a drop partition: calls hang until the client gives up, and are delivered after the heal if still awaited (simulator)", () => {
  it("with the Go client's deadline a call neither answers nor fails until keep-alive gives up, 300 s into the silence", async () => {
    let out: Outcome | undefined;
    const world = await inWorld(goClientDeadline, async (port, w) => {
      w.network.partition("w1", "both", "drop");
      out = await outcome(w, port.sessionCreate({ ttlMs: 15_000 }));
    });
    expect(out!.error).toBeInstanceOf(ConsulUnavailableError);
    expect(String((out!.error as Error).message)).toMatch(/keep-alive gave up after 300000ms/);
    expect(out!.atMs).toBe(300_000);
    expect(kinds(world, "net.timeout")).toEqual([]);
  });

  it("a request sent into the partition is retransmitted at the heal when its caller still waits", async () => {
    let out: Outcome | undefined;
    const world = await inWorld(goClientDeadline, async (port, w) => {
      w.network.partition("w1", "requests", "drop");
      w.schedule({ atMs: 60_000, label: "heal", run: () => w.network.heal("w1") });
      out = await outcome(w, port.sessionCreate({ ttlMs: 15_000 }));
    });
    expect(typeof out!.value).toBe("string");
    expect(out!.atMs).toBe(60_004);
    expect(kinds(world, "net.retransmit")).toEqual([60_000]);
    expect(kinds(world, "consul.session.create")).toEqual([60_002]);
  });

  it("an answer dropped on its way back is delivered at the heal; a caller that timed out meanwhile gets nothing", async () => {
    let slow: Outcome | undefined;
    const world = await inWorld(defaultClientDeadline, async (port, w) => {
      const session = await port.sessionCreate({ ttlMs: 15_000 });
      w.network.partition("w1", "responses", "drop");
      w.schedule({ atMs: w.nowMs + 30_000, label: "heal", run: () => w.network.heal("w1") });
      // The put (10 s deadline) times out before the heal; the info with a 60 s deadline still waits.
      const [put, info] = await Promise.all([outcome(w, port.kvPut("k", "v", { acquire: session })), outcome(w, port.sessionInfo(session, { timeoutMs: 60_000 }))]);
      expect(put.error).toBeInstanceOf(ConsulUnavailableError);
      slow = info;
    });
    expect((slow!.value as { id: string }).id).toBeDefined();
    const retransmits = world.trace.records.filter((r) => r.kind === "net.retransmit");
    expect(retransmits.map((r) => [r.data.op, r.data.dir])).toEqual([["session.info", "response"]]);
    expect(kinds(world, "net.timeout")).toHaveLength(1);
  });
});
