/**
 * The real world's public API (`locksim/real`): find or start real Consul agents, run a fleet of
 * workers against one, and replay a scenario on real Consul beside the simulator.
 *
 * It is a separate entry point from `locksim` on purpose: `locksim` holds what a user ships in
 * production (ports, workers, the real Consul adapter), while this module is test and replay
 * infrastructure that spawns `consul` processes, picks free ports and may start Docker containers.
 * Every run here writes and deletes keys on the agent it uses, under a fresh random prefix.
 *
 * @example
 * ```ts
 * import { provideConsul, runScenarioReal } from "locksim/real";
 * import { loadScenario } from "locksim/sim";
 *
 * const agent = await provideConsul(); // CONSUL_HTTP_ADDR, else `consul agent -dev`, else Docker
 * try {
 *   const scenario = await loadScenario("scenarios/gc-pause-longer-than-ttl.json");
 *   const run = await runScenarioReal(scenario, { worker: "fenced", addr: agent.addr, timeLimitMs: 120_000 });
 *   console.log(run.verdicts);
 * } finally {
 *   await agent.stop();
 * }
 * ```
 * @packageDocumentation
 */
export { provideConsul, ConsulProviderError, type ConsulAgent, type ProvideConsulOptions } from "./consul-provider.js";
export { startConsulCluster, type ConsulCluster } from "./consul-cluster.js";
export { runRealFleet, type RealFleetOptions, type RealFleetResult, type RealLogRecord } from "./real-fleet.js";
export { runScenarioReal, type RealScenarioRun, type RunScenarioRealOptions } from "./run-scenario-real.js";
export { agentFor, replaySideBySide, formatSideBySide, type SideBySide } from "./replay-real.js";
export { preflightConsul, type PreflightOptions, type PreflightResult } from "./preflight.js";
export { findLeftovers, removeLeftovers, locksimKeyPrefixes, locksimSessionNamePrefix, type Leftovers, type LeftoverSession, type LeftoverRemoval } from "./leftovers.js";
export type { CleanupLedger } from "./cleanup-ledger.js";
export type { ReplaySideBySideOptions } from "./replay-real.js";
export type { StartConsulClusterOptions } from "./consul-cluster.js";
