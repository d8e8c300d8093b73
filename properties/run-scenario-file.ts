import { dirname } from "node:path";
import type { ResourcePolicy } from "../src/resources/resource-policy.js";
import { isWorkerKind, type WorkerKind } from "../src/workers/worker-kinds.js";
import { InputError } from "../src/errors.js";
import type { WorkerFactory } from "../src/workers/worker-types.js";
import { judge, type JudgeMode, type Judgement } from "../sim/scenario/expectations.js";
import { loadScenario } from "../sim/scenario/load-scenario.js";
import { checkDeterminism } from "../sim/scenario/check-determinism.js";
import { runScenario, type ScenarioRun } from "../sim/scenario/run-scenario.js";
import type { Scenario } from "../sim/scenario/scenario-schema.js";
import { resolveScenarioArg } from "./scenario-lookup.js";
import { loadWorker, parseModuleSpec, type LoadedWorker } from "./worker-ref.js";
import type { WorkerUnderTest } from "./check-worker.js";

/** One worker's run of a scenario file, judged. */
export interface ScenarioFileRun {
  worker: string;
  /** How to name this worker again on a command line (undefined for a factory handed in). */
  ref: LoadedWorker["ref"];
  run: ScenarioRun;
  judgement: Judgement;
  /** The trace hash the file recorded for this worker, if any (and no seed override). */
  recordedHash: string | undefined;
  /** False when a recorded hash exists and differs: the replay is not byte-identical. */
  hashMatches: boolean;
}

/** Options of runScenarioFile. */
export interface RunScenarioFileOptions {
  /** How verdicts are judged. Default "expect". */
  mode?: JudgeMode;
  /** Overrides the scenario's seed (a recorded hash is then not compared). */
  seed?: string | number;
  /** Overrides the file's resource. */
  resource?: ResourcePolicy;
  /** Run each worker twice and compare the traces (NondeterminismError when they differ). */
  checkDeterminism?: boolean;
}

/**
 * The reference kinds a file's expectations name, which run it when it names no worker of its own.
 * Throws InputError when there are none: running nothing would answer "ok" for a file that judged
 * nothing (a counterexample found for a worker handed to checkWorker as a factory, saved by no name).
 */
export function expectedKinds(scenario: Scenario, file: string): WorkerKind[] {
  const kinds = Object.keys(scenario.expect).filter(isWorkerKind);
  if (kinds.length > 0) return kinds;
  const named = Object.keys(scenario.expect);
  const found = named.length ? `the file names no worker, and its expectations are for ${named.join(", ")}, no reference kind (a worker handed to checkWorker as a factory is saved by no name)` : "the file names no worker, and its expectations name none";
  throw new InputError(`${file}: expected a worker to run it with; found none: ${found}. Pass --worker-module <file[#export]> (or the factory to runScenarioFile)`, { file, field: "worker" });
}

/**
 * The name a worker given for a file runs under: a counterexample found for a factory
 * (`checkWorker(factory, …)`) records its expectations and trace hash under the name it was swept
 * with, and no worker of its own; a factory or a module given to replay it takes that name, so
 * that the expectations judge it and the recorded hash is compared.
 */
export function nameForFile(scenario: Scenario, fallback: string): string {
  return scenario.worker ? fallback : (soleCustomName(scenario) ?? fallback);
}

// The name the file's expectations give a worker that is no reference kind, when there is one.
function soleCustomName(scenario: Scenario): string | undefined {
  const custom = Object.keys(scenario.expect).filter((k) => !isWorkerKind(k));
  return custom.length === 1 ? custom[0] : undefined;
}

/** The workers a file runs with: the one given, else the file's own, else every kind it names. */
async function workersFor(scenario: Scenario, file: string, worker: WorkerUnderTest | undefined): Promise<LoadedWorker[]> {
  // A factory handed in runs under the one name the file's expectations give a worker that is no
  // reference kind (its own module's, or the factory's it was found for), so that they judge it.
  if (typeof worker === "function") return [{ ref: undefined, name: soleCustomName(scenario) ?? "custom-worker", factory: worker as WorkerFactory }];
  if (typeof worker === "string" && isWorkerKind(worker)) return [await loadWorker({ kind: worker })];
  if (typeof worker === "string") {
    const loaded = await loadWorker(parseModuleSpec(worker));
    return [{ ...loaded, name: nameForFile(scenario, loaded.name) }];
  }
  const own = scenario.worker;
  if (own) return [await loadWorker("kind" in own ? own : parseModuleSpec(`${own.module}#${own.export}`, dirname(file)))];
  return Promise.all(expectedKinds(scenario, file).map((kind) => loadWorker({ kind })));
}

/**
 * Reruns a scenario file (a shipped scenario or a saved counterexample) in the simulator and
 * judges it: with no worker given, a counterexample reruns the worker it was found for, with its
 * resource, and its recorded trace hash is compared. For vitest, jest or node:test: assert `ok`.
 */
export async function runScenarioFile(file: string, worker?: WorkerUnderTest, options: RunScenarioFileOptions = {}): Promise<{ scenario: Scenario; runs: ScenarioFileRun[]; ok: boolean }> {
  file = resolveScenarioArg(file);
  const scenario = await loadScenario(file);
  const runs: ScenarioFileRun[] = [];
  for (const w of await workersFor(scenario, file, worker)) {
    const runOptions = { worker: w.factory, workerName: w.name, seed: options.seed, resource: options.resource ?? scenario.resource };
    const run = options.checkDeterminism ? await checkDeterminism(scenario, runOptions) : await runScenario(scenario, runOptions);
    const recordedHash = options.seed === undefined ? scenario.traceHashes?.[w.name] : undefined;
    const hashMatches = recordedHash === undefined || recordedHash === run.traceHash || options.mode === "fixed";
    const judgement = judge({ scenario, workerName: w.name, verdicts: run.verdicts, mode: options.mode ?? "expect" });
    runs.push({ worker: w.name, ref: w.ref, run, judgement, recordedHash, hashMatches });
  }
  return { scenario, runs, ok: runs.every((r) => r.judgement.ok && r.hashMatches) };
}
