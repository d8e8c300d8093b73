import { describe, expect, it } from "vitest";
import { callTimeoutMs, defaultClientDeadline, describeClientDeadline, goClientDeadline, keepAliveGiveUpMs } from "../../src/client-deadline.js";
import { workerKinds } from "../../src/workers/worker-kinds.js";
import { clientDeadlineOf } from "../../src/workers/worker-types.js";
import { buildSimFleet } from "../../sim/sim-workers.js";

describe("client deadlines: one setting per worker, the same arithmetic for every adapter", () => {
  it("the default deadline: 10 s per call, wait + wait/16 + 10 s for a blocking read (Consul's 5-minute wait when none is given), no keep-alive give-up", () => {
    expect(callTimeoutMs(defaultClientDeadline, { blocking: false })).toBe(10_000);
    expect(callTimeoutMs(defaultClientDeadline, { blocking: true, waitMs: 60_000 })).toBe(60_000 + 3_750 + 10_000);
    expect(callTimeoutMs(defaultClientDeadline, { blocking: true })).toBe(300_000 + 18_750 + 10_000);
    expect(keepAliveGiveUpMs(defaultClientDeadline)).toBeUndefined();
  });

  it("the Go client's: no time-out on any call, a keep-alive give-up after 30 s + 9 × 30 s", () => {
    expect(callTimeoutMs(goClientDeadline, { blocking: false })).toBeUndefined();
    expect(callTimeoutMs(goClientDeadline, { blocking: true, waitMs: 60_000 })).toBeUndefined();
    expect(keepAliveGiveUpMs(goClientDeadline)).toBe(30_000 + 9 * 30_000);
    expect(describeClientDeadline(goClientDeadline)).toBe("call none, blocking none, keep-alive give-up 300000ms");
  });

  it("a worker's settings win over its kind's deadline, which wins over the default; the worker's settings name the one applied", () => {
    const custom = { callTimeoutMs: 5_000, blockingExtraMs: "none" as const, keepAliveGiveUpMs: 165_000 };
    expect(clientDeadlineOf(workerKinds["consul-api-lock"], {})).toBe(goClientDeadline);
    expect(clientDeadlineOf(workerKinds.naive, {})).toBe(defaultClientDeadline);
    expect(clientDeadlineOf(workerKinds["consul-api-lock"], { clientDeadline: custom })).toBe(custom);
    const fleet = buildSimFleet({ seed: 1, worker: workerKinds["consul-api-lock"], workers: 1, tasks: [{ id: "t1", durationMs: 1_000 }] });
    expect(fleet.settings.clientDeadline).toBe(goClientDeadline);
  });
});
