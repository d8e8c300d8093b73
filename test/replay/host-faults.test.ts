import { describe, expect, it } from "vitest";
import { HostFaults } from "../../replay/host-faults.js";
import { WorkerGate } from "../../replay/worker-gate.js";
import { goClientDeadline } from "../../src/client-deadline.js";
import { ConsulUnavailableError } from "../../src/errors.js";
import { WorldAssertionError } from "../../sim/sim-errors.js";
import type { ConsulPort } from "../../src/ports/consul-port.js";

/** A ConsulPort stand-in that answers every read at once and counts the calls that reached it (no agent involved). */
function countingPort(): { port: ConsulPort; reached: () => number } {
  let reached = 0;
  const port = {
    kvGet: () => {
      reached++;
      return Promise.resolve({ entry: null, index: 1 });
    },
  } as unknown as ConsulPort;
  return { port, reached: () => reached };
}

const pending = Symbol("pending");
const settledWithin = <T>(p: Promise<T>, ms: number): Promise<T | typeof pending> => Promise.race([p, new Promise<typeof pending>((r) => setTimeout(() => r(pending), ms))]);

describe("the gates of one worker's incarnations share its host's faults (HostFaults)", () => {
  it("a reject partition cut before the crash refuses the restarted incarnation's calls until the heal", async () => {
    const host = new HostFaults();
    const old = new WorkerGate({ host });
    old.host.partitionLink("both", "reject");
    old.crash();
    const inner = countingPort();
    const fresh = new WorkerGate({ host }).consul(inner.port);
    const refused = await fresh.kvGet("k").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConsulUnavailableError);
    expect((refused as Error).message).toMatch(/connection refused \(partition: reject\)/);
    expect(inner.reached()).toBe(0);
    host.healLink();
    expect((await fresh.kvGet("k")).index).toBe(1);
    expect(inner.reached()).toBe(1);
  });

  it("a drop partition holds the restarted incarnation's call, and the heal releases it (the live link hears the heal)", async () => {
    const host = new HostFaults();
    const old = new WorkerGate({ host, clientDeadline: goClientDeadline });
    const oldInner = countingPort();
    const oldPort = old.consul(oldInner.port);
    host.partitionLink("requests", "drop");
    const oldCall = oldPort.kvGet("k");
    old.crash();
    const inner = countingPort();
    const fresh = new WorkerGate({ host, clientDeadline: goClientDeadline }).consul(inner.port);
    const call = fresh.kvGet("k");
    expect(await settledWithin(call, 50)).toBe(pending);
    expect(inner.reached()).toBe(0);
    host.healLink();
    expect((await call).index).toBe(1);
    expect(inner.reached()).toBe(1);
    // The crashed incarnation's held request is not sent: nobody waits for it.
    expect(await settledWithin(oldCall, 50)).toBe(pending);
    expect(oldInner.reached()).toBe(0);
  });

  it("dropped renewals and drift hold for the new incarnation; its clock reads on from the host's", async () => {
    const host = new HostFaults();
    const old = new WorkerGate({ host });
    host.dropRenewals = true;
    host.setClockRate(4);
    const before = old.clock().nowMs();
    old.crash();
    const fresh = new WorkerGate({ host });
    const renew = await fresh
      .consul(countingPort().port)
      .sessionRenew("00000000-0000-0000-0000-000000000000")
      .catch((e: unknown) => e);
    expect((renew as Error).message).toMatch(/renewal dropped \(injected fault\)/);
    const t0 = performance.now();
    const local0 = fresh.clock().nowMs();
    await new Promise((r) => setTimeout(r, 40));
    const local1 = fresh.clock().nowMs();
    const realMs = performance.now() - t0;
    // The same clock, read on: never behind the old incarnation's last reading, at 4x, not 4x twice.
    expect(local0).toBeGreaterThanOrEqual(before);
    expect((local1 - local0) / realMs).toBeCloseTo(4, 0);
    expect(host.clockRate).toBe(4);
  });

  it("a clock rate that is not a finite positive number is refused as the simulator refuses it", () => {
    const host = new HostFaults();
    for (const rate of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => host.setClockRate(rate)).toThrow(WorldAssertionError);
    }
    expect(host.clockRate).toBe(1);
  });
});
