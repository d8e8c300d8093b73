// The simulator's public API ("locksim/sim"): build worlds, run scenarios, apply the checkers.
export { World, type WorldOptions, type RunOptions, type RunResult, type StopReason } from "./world.js";
export type { HostContext, HostFactory, HostProgram } from "./host.js";
export { Trace, type TraceRecord } from "./trace.js";
export { Prng } from "./prng.js";
export { DeterminismError, NetworkTimeoutError, WorldAssertionError } from "./sim-errors.js";
export { ConsulModel, type ConsulModelOptions } from "./consul/consul-model.js";
export { SimConsulPort } from "./sim-consul-port.js";
export { buildSimFleet, workerHost, type SimFleet, type SimFleetOptions } from "./sim-workers.js";
export { loadScenario, parseScenario } from "./scenario/load-scenario.js";
export { runScenario, type ScenarioRun, type RunScenarioOptions } from "./scenario/run-scenario.js";
export { scenarioSchema, checkNames, type Scenario, type Fault, type CheckName, type Verdict } from "./scenario/scenario-schema.js";
export { runCheckers, checkers } from "./checkers/all-checkers.js";
export { formatTimeline, formatVerdicts } from "./report/timeline.js";
export { unsafeWindows, unsafeWindowsOf, unsafeWindowStats, type UnsafeWindow, type UnsafeWindowStats } from "./report/unsafe-window.js";
export { renderHtmlReport, reportRunOf, type HtmlReportOptions, type ReportRun } from "./report/html-report.js";
