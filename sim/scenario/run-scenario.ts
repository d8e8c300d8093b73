import { isWorkerKind, workerKinds, type WorkerKind } from "../../src/workers/worker-kinds.js";
import type { ResourcePolicy } from "../../src/resources/resource-policy.js";
import type { WorkerFactory } from "../../src/workers/worker-types.js";
import { runCheckers } from "../checkers/all-checkers.js";
import type { CheckResult } from "../checkers/check-types.js";
import { FaultyConsulPort } from "../faulty-consul-port.js";
import type { Host, HostState } from "../host.js";
import { buildSimFleet, type SimFleet } from "../sim-workers.js";
import { playFaults } from "../faults/fault-engine.js";
import { SimFaultVerbs } from "../faults/sim-fault-verbs.js";
import { lastFaultAtMs, scenarioWorkerSettings, verdictsOf, workersDone } from "./scenario-run-parts.js";
import type { CheckName, Scenario, Verdict } from "./scenario-schema.js";

/** The outcome of one scenario for one worker kind. */
export interface ScenarioRun {
  scenario: Scenario;
  worker: string;
  seed: string | number;
  verdicts: Record<CheckName, Verdict>;
  results: Record<CheckName, CheckResult>;
  /** SHA-256 of the trace (computed on first read). */
  readonly traceHash: string;
  fleet: SimFleet;
  stoppedBy: string;
  /** When a bound ended the run (stepsMax, horizonMs, sameTimeStepsMax): which, and what was pending. */
  boundMessage: string | undefined;
  /** Errors the worker threw, rejected with or left unhandled (a rejection nothing handled), per host and virtual time (the worker under test failed). */
  workerFailures: { hostId: string; atMs: number; message: string }[];
  wallMs: number;
}

/** Options of runScenario. */
export interface RunScenarioOptions {
  /** A reference kind, or a user's own worker factory (then `workerName` names it in reports). */
  worker: WorkerKind | WorkerFactory;
  workerName?: string;
  /** Overrides the scenario's seed. */
  seed?: string | number;
  /** Record every executed event in the trace (default true). Trace hashes differ with it off. */
  traceSteps?: boolean;
  /** Where the tasks' effects land (src/resources/resource-policy.ts). Default "highest-token". */
  resource?: ResourcePolicy;
}

/**
 * Runs a scenario in the simulator: builds the fleet, schedules the faults, runs until every
 * worker has exited (or the horizon), and applies every checker to the trace.
 */
export async function runScenario(scenario: Scenario, options: RunScenarioOptions): Promise<ScenarioRun> {
  // eslint-disable-next-line no-restricted-properties -- real clock: the harness's wall time, outside the world
  const t0 = performance.now();
  const kind = typeof options.worker === "string" ? options.worker : undefined;
  if (kind !== undefined && !isWorkerKind(kind)) throw new Error(`unknown worker kind "${kind}"`);
  const seed = options.seed ?? scenario.seed;
  const verbsRef: { current?: SimFaultVerbs } = {};
  const fleet = buildSimFleet({
    seed,
    worker: kind ? workerKinds[kind] : (options.worker as WorkerFactory),
    workers: scenario.workers.count,
    startStaggerMs: scenario.workers.startStaggerMs,
    tasks: scenario.tasks,
    horizonMs: scenario.horizonMs,
    traceSteps: options.traceSteps,
    resource: options.resource,
    settings: scenarioWorkerSettings(scenario),
    wrapConsul: (port, hostId) => new FaultyConsulPort(port, () => verbsRef.current?.renewFaults.get(hostId) ?? "none"),
  });
  const world = fleet.world;
  const verbs = (verbsRef.current = new SimFaultVerbs(world, fleet.model));
  playFaults({ faults: scenario.faults, verbs, stage: verbs.stage() });
  // fleetDone, asked before every event: the last fault's time is taken once, the states array reused.
  const lastFaultMs = lastFaultAtMs(scenario);
  // Built by push, not Array.prototype.map: once TurboFan inlines map into runScenario, map's
  // result is a HOLEY array while the builtin's is PACKED, and done() (inlined into the world's
  // pump) deopted with "wrong map" each time the kind flipped (--trace-deopt, runs 400 and 1100).
  const hosts: Host[] = [];
  const states: HostState[] = [];
  for (const id of fleet.hostIds) {
    const h = world.host(id);
    hosts.push(h);
    states.push(h.state);
  }
  const done = (): boolean => {
    if (world.nowMs < lastFaultMs) return false;
    for (let i = 0; i < hosts.length; i++) states[i] = hosts[i]!.state;
    return workersDone(states);
  };
  const result = await world.run({ until: done });
  // A bound that ends the run is part of its story: the timeline and the JSON show it.
  if (result.message) world.record("-", "run.bound", { bound: result.stoppedBy, message: result.message });
  const results = runCheckers({ records: world.trace.records, tasks: scenario.tasks });
  const verdicts = verdictsOf(results);
  let hash: string | undefined;
  return {
    scenario,
    worker: options.workerName ?? kind ?? "custom",
    seed,
    verdicts,
    results,
    get traceHash() {
      return (hash ??= world.trace.hash());
    },
    fleet,
    stoppedBy: result.stoppedBy,
    boundMessage: result.message || undefined,
    workerFailures: world.hostFailures,
    // eslint-disable-next-line no-restricted-properties -- real clock: the harness's wall time, outside the world
    wallMs: performance.now() - t0,
  };
}
