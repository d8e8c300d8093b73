import { describe, expect, it } from "vitest";
import { loadScenario, runScenario } from "../../sim/index.js";
import { buildSimFleet, type SimFleet } from "../../sim/sim-workers.js";
import { FaultyConsulPort, type RenewFault } from "../../sim/faulty-consul-port.js";
import { acquireFencedLock, InputError, jobRunner, LeaseExpiredError, SessionInvalidatedError, type FencedLockEvent, type WorkerEnv, type WorkerFactory } from "../../src/index.js";

/** A user's own worker, built from the lease module and the job runner only (no onEvent, no logs of its own). */
const myFencedWorker: WorkerFactory = (env) =>
  jobRunner(env, {
    tryLock: (_task, key, signal) => acquireFencedLock({ consul: env.consul, clock: env.clock, key, value: env.workerId, ttlMs: env.settings.ttlMs, signal }),
  });

describe("a user-built worker over acquireFencedLock + jobRunner", () => {
  it("holds at-most-once through a GC pause longer than TTL, as the fenced worker does", async () => {
    const scenario = await loadScenario("scenarios/gc-pause-longer-than-ttl.json");
    const run = await runScenario(scenario, { worker: myFencedWorker, workerName: "my-fenced", resource: "highest-token" });
    expect(run.fleet.world.hostFailures).toEqual([]);
    expect(run.verdicts).toEqual(scenario.expect?.fenced);
    // The pause did put two workers in the task at once (no lease prevents that) ...
    expect(run.verdicts.exclusiveExecution).toBe("violated");
    // ... yet the task's effect landed exactly once.
    expect([...run.fleet.store.effectCounts().values()]).toEqual([1]);
  });

  it("the token alone keeps the effect once: a worker that ignores the lease's signal and stillHeld() is still fenced by the store", async () => {
    const tokenOnly: WorkerFactory = (env) =>
      jobRunner(env, {
        async tryLock(_task, key, signal) {
          const lock = await acquireFencedLock({ consul: env.consul, clock: env.clock, key, ttlMs: env.settings.ttlMs, signal });
          return lock && { token: lock.token, signal, stillHeld: () => true, release: () => lock.release() };
        },
      });
    const scenario = await loadScenario("scenarios/gc-pause-longer-than-ttl.json");
    // A worker that ignores its lease is saved only by the strongest protocol: w2's claim raises
    // the fence before paused w1 commits. (Under highest-token, w1 commits first and both land:
    // the next test shows the lease is what keeps that from happening.)
    const fenced = await runScenario(scenario, { worker: tokenOnly, resource: "claim-then-commit" });
    const highest = await runScenario(scenario, { worker: tokenOnly, resource: "highest-token" });
    expect(highest.verdicts.atMostOnce).toBe("violated");
    expect(fenced.fleet.world.hostFailures).toEqual([]);
    expect(fenced.verdicts.atMostOnce).toBe("holds");
    // w1 resumes after its session expired and commits with its old token: refused; w2's goes in.
    const commits = fenced.fleet.world.trace.ofKind("store.commit").map((r) => ({ worker: r.data?.worker, token: Number(r.data?.token), accepted: r.data?.accepted }));
    expect(commits.map((c) => [c.worker, c.accepted])).toEqual([
      ["w1", false],
      ["w2", true],
    ]);
    expect(commits[0]!.token).toBeLessThan(commits[1]!.token);
    // Without a store that checks the token, the same worker commits twice.
    const unfenced = await runScenario(scenario, { worker: tokenOnly, resource: "unfenced" });
    expect(unfenced.verdicts.atMostOnce).toBe("violated");
  });

  it("holds at-most-once on every shipped scenario where the fenced worker does", async () => {
    for (const name of ["crash-mid-task", "missed-renewals", "partition-holder-from-consul", "ttl-expiry-during-long-task", "leader-failover-during-task", "clock-drift"]) {
      const scenario = await loadScenario(`scenarios/${name}.json`);
      const run = await runScenario(scenario, { worker: myFencedWorker, workerName: "my-fenced", resource: "highest-token" });
      expect(run.fleet.world.hostFailures, name).toEqual([]);
      expect(run.verdicts.atMostOnce, name).toBe("holds");
      expect(run.verdicts.liveness, name).toBe("holds");
    }
  });
});

/** Runs `body` as the only worker of a world (TTL 10s), with renew faults if asked; returns the fleet. */
async function inWorld(body: (env: WorkerEnv) => Promise<void>, options: { renew?: RenewFault; holdKeyUntilMs?: number } = {}): Promise<SimFleet> {
  const fleet = buildSimFleet({
    seed: "fenced-lock",
    worker: (env) => ({ run: () => body(env) }),
    workers: 1,
    tasks: [],
    settings: { ttlMs: 10_000 },
    wrapConsul: (port) => Object.assign(new FaultyConsulPort(port), { renew: options.renew ?? "none" }),
  });
  if (options.holdKeyUntilMs !== undefined) {
    // An outsider holds the key from t=0 until holdKeyUntilMs.
    const m = fleet.model;
    const sid = (JSON.parse((m.handle({ method: "PUT", path: "/v1/session/create", body: "{}" }) as { body: string }).body) as { ID: string }).ID;
    m.handle({ method: "PUT", path: "/v1/kv/k", query: { acquire: sid }, body: "outsider" });
    fleet.world.schedule({ atMs: options.holdKeyUntilMs, label: "outsider.release", run: () => void m.handle({ method: "PUT", path: "/v1/kv/k", query: { release: sid } }) });
  }
  expect(await fleet.runToCompletion()).toBe(true);
  expect(fleet.world.hostFailures).toEqual([]);
  return fleet;
}

describe("acquireFencedLock", () => {
  it("takes the key with a ModifyIndex token; release() releases, then destroys, leaving no lock-delay; twice is harmless", async () => {
    const events: FencedLockEvent[] = [];
    let token = 0;
    const fleet = await inWorld(async (env) => {
      const lock = await acquireFencedLock({ consul: env.consul, clock: env.clock, key: "k", value: "me", ttlMs: 10_000, onEvent: (e) => events.push(e) });
      expect(lock).not.toBeNull();
      token = lock!.token;
      expect(lock!.stillHeld()).toBe(true);
      await env.clock.sleepMs(20_000); // renewals keep it alive past 2×TTL
      expect(lock!.stillHeld()).toBe(true);
      expect(lock!.signal.aborted).toBe(false);
      await lock!.release();
      await lock!.release();
      expect(lock!.stillHeld()).toBe(false);
      expect(lock!.signal.aborted).toBe(false); // given back, not lost
    });
    expect(events).toEqual([{ kind: "acquired", session: expect.any(String), token }]);
    // The release wrote the key again, after the token was read: a later index.
    expect(token).toBeGreaterThan(0);
    expect(fleet.model.state.kv.get("k")!.modifyIndex).toBeGreaterThan(token);
    expect(fleet.model.state.kv.get("k")?.session).toBe("");
    expect(fleet.model.state.sessions.size).toBe(0);
    expect(fleet.model.state.lockDelays.has("k")).toBe(false);
  });

  it("resolves null while another session holds the key, and destroys the session it made", async () => {
    const fleet = await inWorld(
      async (env) => {
        expect(await acquireFencedLock({ consul: env.consul, clock: env.clock, key: "k", ttlMs: 10_000 })).toBeNull();
        await env.clock.sleepMs(6_000);
        const lock = await acquireFencedLock({ consul: env.consul, clock: env.clock, key: "k", ttlMs: 10_000 });
        expect(lock).not.toBeNull();
        await lock!.release();
      },
      { holdKeyUntilMs: 5_000 },
    );
    // Only the outsider's session is left.
    expect(fleet.model.state.sessions.size).toBe(1);
  });

  it("a renew answering 404 aborts the signal with SessionInvalidatedError, reported once", async () => {
    const events: FencedLockEvent[] = [];
    await inWorld(
      async (env) => {
        const lock = (await acquireFencedLock({ consul: env.consul, clock: env.clock, key: "k", ttlMs: 10_000, onEvent: (e) => events.push(e) }))!;
        await env.clock.sleepMs(5_000);
        expect(lock.signal.reason).toBeInstanceOf(SessionInvalidatedError);
        expect(lock.stillHeld()).toBe(false);
        await lock.release();
      },
      { renew: "not-found" },
    );
    expect(events.map((e) => e.kind)).toEqual(["acquired", "lost"]);
  });

  it("dropped renewals: the watchdog ends the local lease at TTL − margin from the create's send time", async () => {
    const events: FencedLockEvent[] = [];
    await inWorld(
      async (env) => {
        const t0 = env.clock.nowMs();
        const lock = (await acquireFencedLock({ consul: env.consul, clock: env.clock, key: "k", ttlMs: 10_000, leaseSafetyMarginMs: 3_000, onEvent: (e) => events.push(e) }))!;
        await env.clock.sleepMs(t0 + 6_900 - env.clock.nowMs());
        expect(lock.stillHeld()).toBe(true);
        await env.clock.sleepMs(200);
        expect(lock.stillHeld()).toBe(false);
        expect(lock.signal.reason).toBeInstanceOf(LeaseExpiredError);
        await lock.release().catch(() => undefined);
      },
      { renew: "unavailable" },
    );
    // Renews at TTL/3 and 2·TTL/3 both fail; only the lease's end (7s) is a loss.
    expect(events.map((e) => e.kind)).toEqual(["acquired", "renew-error", "renew-error", "lost"]);
  });

  it("refuses a safety margin that is not below TTL", async () => {
    await inWorld(async (env) => {
      await expect(acquireFencedLock({ consul: env.consul, clock: env.clock, key: "k", ttlMs: 10_000, leaseSafetyMarginMs: 10_000 })).rejects.toBeInstanceOf(InputError);
    });
  });
});
