import fc from "fast-check";
import { faultsEndMs } from "../sim/faults/fault-table.js";
import type { Fault, FaultType, Scenario } from "../sim/scenario/scenario-schema.js";

/** Every fault type the generator knows. */
export const allFaultTypes: FaultType[] = ["crash", "pause", "partition", "drop-renewals", "slow-network", "leader-failover", "clock-drift", "rate-limit", "leader-transfer"];

/** How long the world stays quiet after the last fault, so that liveness can be judged (ms). */
export const quietPeriodMs = 600_000;

const atMs = fc.integer({ min: 0, max: 180 }).map((n) => n * 500);
const seconds = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max }).map((s) => s * 1_000);
const worker = fc.integer({ min: 1, max: 4 }).map((n) => `w${n}`);

/** One fault of each type; the worker is clamped to the scenario's worker count later. */
const faultArbs: Record<FaultType, fc.Arbitrary<Fault>> = {
  crash: fc.record({ type: fc.constant("crash" as const), atMs, worker, restartAfterMs: fc.option(seconds(0, 60), { nil: undefined }) }).map(({ restartAfterMs, ...f }) => (restartAfterMs === undefined ? f : { ...f, restartAfterMs })),
  pause: fc.record({ type: fc.constant("pause" as const), atMs, worker, durationMs: seconds(1, 90) }),
  // Both kinds: packets dropped (calls hang until the client gives up; delivered after the heal if
  // still awaited) and connections rejected (calls fail at once).
  partition: fc.record({ type: fc.constant("partition" as const), atMs, worker, durationMs: seconds(1, 90), mode: fc.constantFrom("requests" as const, "responses" as const, "both" as const), kind: fc.constantFrom("drop" as const, "reject" as const) }),
  "drop-renewals": fc.record({ type: fc.constant("drop-renewals" as const), atMs, worker, durationMs: seconds(1, 90) }),
  "slow-network": fc.record({ type: fc.constant("slow-network" as const), atMs, worker, durationMs: seconds(1, 60), latencyMsMin: fc.integer({ min: 1, max: 500 }), latencyMsMax: fc.integer({ min: 500, max: 5_000 }) }),
  "leader-failover": fc.record({ type: fc.constant("leader-failover" as const), atMs, unavailableMs: seconds(1, 12) }),
  "rate-limit": fc.record({ type: fc.constant("rate-limit" as const), atMs, durationMs: seconds(1, 60), fraction: fc.constantFrom(0.1, 0.3, 0.5, 1), status: fc.constantFrom(429 as const, 503 as const) }),
  // 1.1-3.5 s measured for a graceful leave of the leader on 1.8.7 (raft_multiplier 1); up to 8 s for slower clusters.
  "leader-transfer": fc.record({ type: fc.constant("leader-transfer" as const), atMs, unavailableMs: seconds(1, 8) }),
  "clock-drift": fc.record({ type: fc.constant("clock-drift" as const), atMs, worker, rate: fc.constantFrom(0.2, 0.5, 0.8, 1.25, 2), durationMs: fc.option(seconds(10, 120), { nil: undefined }) }).map(({ durationMs, ...f }) => (durationMs === undefined ? f : { ...f, durationMs })),
};

/** Options of the generator. */
export interface ScenarioArbOptions {
  /** The swept worker's name (a kind or `file#export`): it names the scenario and keys its expectations. */
  worker: string;
  /** Fault types the swarm may switch on. Default: all. */
  faultTypes?: FaultType[];
  /** Most faults in one plan. Default 4. */
  faultsMax?: number;
}

/**
 * Generated scenarios in swarm style: the seed also decides which fault types are on at all, the
 * Consul settings, the numbers of workers and tasks. Shrinking removes faults (an array shrinks
 * by dropping elements, and switching a type off drops all of its faults), so a counterexample
 * ends with the fewest faults that still break the property.
 */
export function scenarioArb(options: ScenarioArbOptions): fc.Arbitrary<Scenario> {
  const types = options.faultTypes ?? allFaultTypes;
  const enabled = fc.record(Object.fromEntries(types.map((t) => [t, fc.boolean()])) as Record<FaultType, fc.Arbitrary<boolean>>);
  return fc
    .record({
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      ttlMs: fc.constantFrom(10_000, 15_000, 20_000),
      lockDelayMs: fc.constantFrom(0, 5_000, 15_000),
      workers: fc.integer({ min: 2, max: 4 }),
      startStaggerMs: fc.constantFrom(0, 1_000),
      tasks: fc.array(fc.constantFrom(5_000, 15_000, 30_000, 60_000), { minLength: 1, maxLength: 4 }),
      enabled,
      faults: fc.array(fc.oneof(...types.map((t) => faultArbs[t])), { maxLength: options.faultsMax ?? 4 }),
    })
    .map((g) => {
      // Arrays built by push, not filter/map: once TurboFan inlines map into this callback its
      // result is a HOLEY array (the builtin's is PACKED), and the simulator's loops over a run's
      // tasks and faults deopted with "wrong map" on the first such scenario (e.g. run 969).
      const faults: Fault[] = [];
      for (const f of g.faults) {
        if (!(g.enabled as Record<string, boolean>)[f.type]) continue;
        faults.push("worker" in f ? { ...f, worker: `w${((Number(f.worker.slice(1)) - 1) % g.workers) + 1}` } : f);
      }
      const tasks: Scenario["tasks"] = [];
      for (let i = 0; i < g.tasks.length; i++) tasks.push({ id: `t${i + 1}`, durationMs: g.tasks[i]! });
      const scenario: Scenario = {
        name: `generated-${options.worker}-${g.seed}`,
        why: "Generated by the property sweep.",
        seed: g.seed,
        consul: { ttlMs: g.ttlMs, lockDelayMs: g.lockDelayMs },
        workers: { count: g.workers, startStaggerMs: g.startStaggerMs },
        tasks,
        faults,
        horizonMs: Math.min(86_400_000, faultsEndMs(faults) + quietPeriodMs),
        settings: {},
        expect: { [options.worker]: {} },
      };
      return scenario;
    });
}
