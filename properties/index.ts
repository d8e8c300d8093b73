// The test-runner API ("locksim/check"): sweep your worker from vitest, jest or node:test, and
// rerun scenario files (shipped or counterexamples) as regression tests.
export { checkWorker, WorkerCheckFailedError, type CheckWorkerOptions, type WorkerUnderTest } from "./check-worker.js";
export { runScenarioFile, type ScenarioFileRun } from "./run-scenario-file.js";
export { runSweep, safetyChecks, type SweepOptions, type SweepSummary } from "./sweep.js";
export { loadWorker, parseModuleSpec, type LoadedWorker, type WorkerRef } from "./worker-ref.js";
export { judge, safetyCheckNames, type JudgeMode, type Judgement } from "../sim/scenario/expectations.js";
export { scenarioArb, allFaultTypes } from "./scenario-arbitrary.js";
