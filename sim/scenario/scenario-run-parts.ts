import { defaultWorkerSettings, type WorkerSettings } from "../../src/workers/worker-types.js";
import type { CheckResult } from "../checkers/check-types.js";
import type { WorkerLifeState } from "../faults/fault-table.js";
import { checkNames, type CheckName, type Scenario, type Verdict } from "./scenario-schema.js";

/**
 * The parts of running a scenario that both worlds share (the simulator's runScenario and the
 * real replay), written once so that the two cannot drift apart.
 */

/** The worker settings a scenario asks for: Consul settings first, then its `settings`, then `extra`. */
export function scenarioWorkerSettings(scenario: Scenario, extra: Partial<WorkerSettings> = {}): WorkerSettings {
  return {
    ...defaultWorkerSettings,
    ttlMs: scenario.consul.ttlMs,
    lockDelayMs: scenario.consul.lockDelayMs,
    behavior: scenario.consul.behavior,
    ...scenario.settings,
    ...extra,
  };
}

/** Checks that only the simulator can judge: a real agent's inside is not observable. */
export const simulatorOnlyChecks: readonly CheckName[] = ["modelInvariants"];

/** Checks whose verdicts a real replay compares with the simulator's. */
export const comparedChecks: readonly CheckName[] = checkNames.filter((c) => !simulatorOnlyChecks.includes(c));

/** The verdict of each check, in report order. */
export function verdictsOf(results: Record<CheckName, CheckResult>): Record<CheckName, Verdict> {
  return Object.fromEntries(checkNames.map((c) => [c, results[c].verdict])) as Record<CheckName, Verdict>;
}

/**
 * Whether a run is over: no fault is still due, no worker is still running (or paused: it may
 * resume), and at least one exited normally (a fleet where every worker crashed for good is
 * judged at the horizon instead).
 */
export function fleetDone(options: { elapsedMs: number; scenario: Scenario; states: readonly WorkerLifeState[] }): boolean {
  return options.elapsedMs >= lastFaultAtMs(options.scenario) && workersDone(options.states);
}

/** When the scenario's last fault is due (0 without faults): no run is over before it. */
export function lastFaultAtMs(scenario: Scenario): number {
  let lastMs = 0;
  for (const f of scenario.faults) if (f.atMs > lastMs) lastMs = f.atMs;
  return lastMs;
}

/** The workers' half of fleetDone: none running or paused, and at least one exited normally. */
export function workersDone(states: readonly WorkerLifeState[]): boolean {
  let exited = false;
  for (const s of states) {
    if (s === "exited") exited = true;
    else if (s !== "crashed") return false;
  }
  return exited;
}
