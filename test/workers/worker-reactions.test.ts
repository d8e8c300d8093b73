import { describe, expect, it } from "vitest";
import { buildSimFleet, type SimFleet } from "../../sim/sim-workers.js";
import { FaultyConsulPort, type RenewFault } from "../../sim/faulty-consul-port.js";
import { workerKinds, type WorkerKind } from "../../src/workers/worker-kinds.js";

/** One worker, one 30s task, TTL 10s; faults are set on its ConsulPort or in the model. */
function single(kind: WorkerKind, options: { renew?: RenewFault } = {}): { fleet: SimFleet; faulty: FaultyConsulPort[] } {
  const faulty: FaultyConsulPort[] = [];
  const fleet = buildSimFleet({
    seed: `reaction-${kind}`,
    worker: workerKinds[kind],
    workers: 1,
    tasks: [{ id: "t1", durationMs: 30_000 }],
    settings: { ttlMs: 10_000, passIntervalMs: 5_000, leaseSafetyMarginMs: 2_000 },
    resource: kind === "fenced" ? "claim-then-commit" : "unfenced",
    wrapConsul: (port) => {
      const f = new FaultyConsulPort(port);
      f.renew = options.renew ?? "none";
      faulty.push(f);
      return f;
    },
  });
  return { fleet, faulty };
}

/** The first records of the given kinds, as [rounded time, kind, detail]. */
function story(fleet: SimFleet, kinds: string[], untilMs = Infinity): [number, string, string][] {
  return fleet.world.trace.records
    .filter((r) => kinds.includes(r.kind) && r.atMs <= untilMs)
    .map((r) => {
      const d = r.data as Record<string, unknown> | undefined;
      return [Math.round(r.atMs / 100) / 10, r.kind, String(d?.reason ?? d?.error ?? d?.outcome ?? d?.accepted ?? "")];
    });
}

const watched = ["task.start", "task.abort", "task.end", "lock.lost", "api-lock.renew.end", "api-lock.monitor.end", "store.commit", "task.outcome"];

/** naive's story under every fault below: it never looks at its lock, runs the 30s task and commits. */
const naiveRunsToTheEnd: [number, string, string][] = [
  [0, "task.start", ""],
  [30, "task.end", ""],
  [30, "store.commit", "true"],
  [30, "task.outcome", "committed"],
];

/**
 * How consul-api-lock's task ends once its renewals stop: whatever RenewPeriodic did, only the
 * monitor stops the task, when Consul expires the session at 2×TTL (20s) and, with behavior
 * release, clears the key's session.
 */
const apiLockMonitorStopsAtExpiry: [number, string, string][] = [
  [20, "api-lock.monitor.end", "LockLostError: the lock key was released"],
  [20, "task.abort", "LockLostError: the lock key was released"],
  [20, "task.outcome", "lost"],
];

describe("reaction: acquire answers false (another holder)", () => {
  for (const kind of Object.keys(workerKinds) as WorkerKind[]) {
    it(`${kind} skips the task while it is held, and runs it once it is free`, async () => {
      const { fleet } = single(kind);
      const m = fleet.model;
      // An outsider holds the key from t=0 and releases it at t=12s.
      const sid = (JSON.parse((m.handle({ method: "PUT", path: "/v1/session/create", body: "{}" }) as { body: string }).body) as { ID: string }).ID;
      const flags: Record<string, string> = kind === "consul-api-lock" ? { flags: "3304740253564472344" } : {};
      m.handle({ method: "PUT", path: "/v1/kv/service/t1/leader", query: { acquire: sid, ...flags }, body: "outsider" });
      fleet.world.schedule({ atMs: 12_000, label: "outsider.release", run: () => void m.handle({ method: "PUT", path: "/v1/kv/service/t1/leader", query: { release: sid, ...flags } }) });
      expect(await fleet.runToCompletion()).toBe(true);
      const outcomes = fleet.world.trace.ofKind("task.outcome").map((r) => String(r.data?.outcome));
      expect(outcomes[0]).toBe("skipped-held");
      expect(outcomes.at(-1)).toBe("committed");
      const starts = fleet.world.trace.ofKind("task.start");
      expect(starts).toHaveLength(1);
      expect(starts[0]!.atMs).toBeGreaterThan(12_000);
      expect([...fleet.store.effectCounts().values()]).toEqual([1]);
    });
  }
});

describe("reaction: renew answers 404", () => {
  it("naive ignores it and commits", async () => {
    const { fleet } = single("naive", { renew: "not-found" });
    await fleet.runToCompletion();
    expect(story(fleet, watched)).toEqual(naiveRunsToTheEnd);
  });

  it("consul-api-lock: RenewPeriodic ends with 'session expired' but only the monitor stops the task, when Consul expires the session (2×TTL)", async () => {
    const { fleet } = single("consul-api-lock", { renew: "not-found" });
    await fleet.world.run({ untilMs: 25_000 });
    expect(story(fleet, watched)).toEqual([
      [0, "task.start", ""],
      [5, "api-lock.renew.end", "SessionInvalidatedError: session expired"],
      ...apiLockMonitorStopsAtExpiry,
    ]);
  });

  it("fenced treats it as a lost lock at the first renew (TTL/3 plus a round trip)", async () => {
    const { fleet, faulty } = single("fenced", { renew: "not-found" });
    fleet.world.schedule({ atMs: 4_000, label: "fix", run: () => (faulty[0]!.renew = "none") });
    await fleet.runToCompletion();
    expect(story(fleet, watched, 4_000)).toEqual([
      [0, "task.start", ""],
      [3.4, "lock.lost", "SessionInvalidatedError: renew answered 404: the session is gone"],
      [3.4, "task.abort", "SessionInvalidatedError: renew answered 404: the session is gone"],
      [3.4, "task.outcome", "lost"],
    ]);
    expect([...fleet.store.effectCounts().values()]).toEqual([1]);
  });
});

describe("reaction: renew fails on the transport (dropped renewals)", () => {
  it("naive ignores it; Consul expires the session at 2×TTL; naive still commits", async () => {
    const { fleet } = single("naive", { renew: "unavailable" });
    await fleet.runToCompletion();
    expect(fleet.world.trace.ofKind("consul.session.expire").map((r) => r.atMs / 1000).map(Math.round)).toEqual([20]);
    expect(story(fleet, watched)).toEqual(naiveRunsToTheEnd);
  });

  it("consul-api-lock retries every 1s until TTL has passed, gives up, and the monitor stops the task at expiry", async () => {
    const { fleet } = single("consul-api-lock", { renew: "unavailable" });
    await fleet.world.run({ untilMs: 25_000 });
    expect(story(fleet, watched)).toEqual([
      [0, "task.start", ""],
      [11, "api-lock.renew.end", "ConsulUnavailableError: session.renew: Consul unavailable: renewal dropped (injected fault)"],
      ...apiLockMonitorStopsAtExpiry,
    ]);
  });

  it("fenced stops the task when its local lease runs out (TTL − margin), before Consul expires the session", async () => {
    const { fleet } = single("fenced", { renew: "unavailable" });
    await fleet.world.run({ untilMs: 9_000 });
    expect(story(fleet, watched)).toEqual([
      [0, "task.start", ""],
      [8, "lock.lost", "LeaseExpiredError: local lease ran out before a renew confirmed it"],
      [8, "task.abort", "LeaseExpiredError: local lease ran out before a renew confirmed it"],
      [8, "task.outcome", "lost"],
    ]);
  });
});

describe("reaction: the monitor sees the lock gone (an operator deletes the key at t=5s)", () => {
  const deleteAt5s = (fleet: SimFleet): void => {
    fleet.world.schedule({ atMs: 5_000, label: "operator.delete", run: () => void fleet.model.handle({ method: "DELETE", path: "/v1/kv/service/t1/leader" }) });
  };

  it("naive does not notice and commits", async () => {
    const { fleet } = single("naive");
    deleteAt5s(fleet);
    await fleet.runToCompletion();
    expect(story(fleet, watched)).toEqual(naiveRunsToTheEnd);
  });

  for (const kind of ["consul-api-lock", "fenced"] as const) {
    it(`${kind} aborts the task at once`, async () => {
      const { fleet } = single(kind);
      deleteAt5s(fleet);
      await fleet.world.run({ untilMs: 6_000 });
      const lost = kind === "fenced" ? "lock.lost" : "api-lock.monitor.end";
      expect(story(fleet, watched)).toEqual([
        [0, "task.start", ""],
        [5, lost, "LockLostError: the lock key is gone"],
        [5, "task.abort", "LockLostError: the lock key is gone"],
        [5, "task.outcome", "lost"],
        // Unlock stops RenewPeriodic, which destroys the session and ends cleanly.
        ...(kind === "consul-api-lock" ? [[5, "api-lock.renew.end", ""] as [number, string, string]] : []),
      ]);
    });
  }
});

describe("reaction: the abort signal fires (Ctrl+C at t=5s)", () => {
  for (const kind of Object.keys(workerKinds) as WorkerKind[]) {
    it(`${kind} stops the task, commits nothing, gives its lock back and destroys its session`, async () => {
      const f2 = single(kind).fleet;
      f2.world.schedule({ atMs: 5_000, label: "ctrl-c", run: () => f2.world.stop("w1") });
      expect(await f2.runToCompletion()).toBe(true);
      expect(story(f2, ["task.start", "task.abort", "store.commit"])).toEqual([
        [0, "task.start", ""],
        [5, "task.abort", "Error: stopped"],
      ]);
      // api.Lock's Unlock does not wait for RenewPeriodic's destroy; give in-flight calls a second.
      await f2.world.run({ untilMs: f2.world.nowMs + 1_000 });
      expect(f2.model.state.sessions.size).toBe(0);
      const entry = f2.model.state.kv.get("service/t1/leader");
      // naive's session has behavior delete: destroying it deletes the key; the others release it.
      if (kind === "naive") expect(entry).toBeUndefined();
      else expect(entry?.session).toBe("");
      // Releasing before destroying leaves no lock-delay; naive's destroy leaves one (15s default).
      expect(f2.model.state.lockDelays.has("service/t1/leader")).toBe(kind === "naive");
    });
  }
});
