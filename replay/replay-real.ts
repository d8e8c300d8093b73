import { InputError } from "../src/errors.js";
import { isLoopbackAddr, normalizeConsulAddr, provideConsul, type ConsulAgent } from "./consul-provider.js";
import type { WorkerKind } from "../src/workers/worker-kinds.js";
import type { WorkerFactory } from "../src/workers/worker-types.js";
import type { ResourcePolicy } from "../src/resources/resource-policy.js";
import { formatRecords, formatTimeline, verdictLabel } from "../sim/report/timeline.js";
import { runScenario, type ScenarioRun } from "../sim/scenario/run-scenario.js";
import type { Scenario } from "../sim/scenario/scenario-schema.js";
import { startConsulCluster } from "./consul-cluster.js";
import { runScenarioReal, type RealScenarioRun } from "./run-scenario-real.js";
import { comparedChecks } from "../sim/scenario/scenario-run-parts.js";
import type { CleanupLedger } from "./cleanup-ledger.js";

/** A worker to replay: a reference kind, or a user's factory with its name. */
export type ReplayWorker = WorkerKind | { name: string; factory: WorkerFactory };

/** One worker replayed in both worlds. */
export interface SideBySide {
  /** The worker's name (a kind or `file#export`). */
  worker: string;
  sim: ScenarioRun;
  real: RealScenarioRun;
  /** Checks whose verdicts differ between the worlds (modelInvariants is simulator-only). */
  differing: string[];
}

/** Where the agent comes from: an explicit address (loopback unless allowed) or the provider chain. */
export async function agentFor(options: { consulAddr?: string; allowRemote?: boolean; signal?: AbortSignal | undefined }): Promise<ConsulAgent> {
  if (options.consulAddr) {
    const addr = normalizeConsulAddr(options.consulAddr, "--consul-addr");
    if (!isLoopbackAddr(addr) && !options.allowRemote) {
      throw new InputError(`--consul-addr ${addr} is not on loopback; replays write and delete keys there, so pass --allow-remote to use it`, { field: "consul-addr" });
    }
    return { addr, source: "env", stop: async () => undefined };
  }
  return provideConsul({ allowRemote: options.allowRemote, signal: options.signal });
}

/** Options of replaySideBySide. */
export interface ReplaySideBySideOptions {
  /** Give a scenario with a leader failover its own local 3-server cluster per worker. Default true. */
  useClusterForFailover?: boolean;
  /** Where the effects land. Default: the scenario's. */
  resource?: ResourcePolicy | undefined;
  /** ACL token for the agent. Default: CONSUL_HTTP_TOKEN. */
  token?: string | undefined;
  /**
   * Stops every real run at once when it aborts: each removes its sessions and keys, each cluster
   * started here is stopped and its data removed, then the promise rejects with AbortedError.
   */
  signal?: AbortSignal | undefined;
  /** Told what was removed on a stop; holds fallbacks for the clusters started here meanwhile. */
  ledger?: CleanupLedger | undefined;
  /** The agent at `addr` is locksim's own, in memory, stopped after the replay (RunScenarioRealOptions.disposableAgent). Default false. */
  disposableAgent?: boolean | undefined;
}

/**
 * Replays `scenario` for each kind in the simulator and on the agent at `addr`, concurrently per
 * kind. A scenario with a leader failover or transfer gets, per kind, a fresh local 3-server cluster
 * of real agents instead (unless `useClusterForFailover` is false), whose leader is killed (or
 * leaves) at the fault.
 */
export async function replaySideBySide(scenario: Scenario, kinds: ReplayWorker[], addr: string, options: ReplaySideBySideOptions = {}): Promise<SideBySide[]> {
  const needsCluster = (options.useClusterForFailover ?? true) && scenario.faults.some((f) => f.type === "leader-failover" || f.type === "leader-transfer");
  const resource = options.resource ?? scenario.resource;
  const { signal, ledger } = options;
  const one = async (worker: ReplayWorker): Promise<SideBySide> => {
    const sim = await runScenario(scenario, typeof worker === "string" ? { worker, resource } : { worker: worker.factory, workerName: worker.name, resource });
    const cluster = needsCluster ? await startConsulCluster({ signal }) : undefined;
    const unregister = cluster && ledger?.register(`the Consul cluster in ${cluster.dataDir ?? "?"} (pids ${cluster.pids?.join(", ") ?? "?"})`, () => cluster.stop());
    try {
      // Give the real run the simulator's duration plus a margin: real Consul is a little later.
      const real = await runScenarioReal(scenario, { worker, resource, addr: cluster?.clientAddr ?? addr, cluster, timeLimitMs: Math.round(sim.fleet.world.nowMs * 1.3) + 30_000, token: options.token ?? process.env.CONSUL_HTTP_TOKEN, signal, ledger, disposableAgent: Boolean(cluster) || options.disposableAgent });
      const differing = comparedChecks.filter((c) => sim.verdicts[c] !== real.verdicts[c]);
      return { worker: sim.worker, sim, real, differing };
    } finally {
      if (cluster) {
        await cluster.stop();
        unregister?.();
        if (signal?.aborted) ledger?.noteRemoved(`the Consul cluster (pids ${cluster.pids?.join(", ") ?? "?"}) and its data in ${cluster.dataDir ?? "?"}`);
      }
    }
  };
  // Clusters are heavy on a 2-core machine: one at a time; single-agent replays run together.
  if (needsCluster) {
    const out: SideBySide[] = [];
    for (const k of kinds) out.push(await one(k));
    return out;
  }
  // Every run must finish its own cleanup before the first failure (or a stop) is reported.
  const settled = await Promise.allSettled(kinds.map(one));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<SideBySide>).value);
}

/** The side-by-side report: verdicts in both worlds, wall times, both timelines. */
export function formatSideBySide(s: SideBySide): string {
  const rows = comparedChecks.map((c) => {
    const a = s.sim.verdicts[c];
    const b = s.real.verdicts[c];
    return `  ${c.padEnd(19)} ${verdictLabel(a).padEnd(15)} ${verdictLabel(b).padEnd(15)} ${a === b ? "same" : "DIFFERENT"}`;
  });
  const speedup = s.sim.wallMs > 0 ? Math.round(s.real.wallMs / s.sim.wallMs) : 0;
  return [
    `verdicts (${s.worker}):`,
    `  ${"check".padEnd(19)} ${"simulator".padEnd(15)} ${"real Consul".padEnd(15)}`,
    ...rows,
    `  ${"modelInvariants".padEnd(19)} ${verdictLabel(s.sim.verdicts.modelInvariants).padEnd(15)} ${"not applicable".padEnd(15)} (the model exists only in the simulator)`,
    "",
    `wall time: simulator ${s.sim.wallMs.toFixed(0)}ms (${(s.sim.fleet.world.nowMs / 1000).toFixed(1)}s virtual), real ${(s.real.wallMs / 1000).toFixed(1)}s: ${speedup}x faster in the simulator`,
    `real run: ${s.real.finished ? "every worker done" : "stopped at its time limit"}; cleanup left ${s.real.leftover.sessions} session(s) and ${s.real.leftover.keys} key(s)${s.real.skippedFaults.length ? `; not played: ${s.real.skippedFaults.join("; ")}` : ""}`,
    "",
    "simulator timeline:",
    formatTimeline(s.sim),
    "",
    "real Consul timeline:",
    formatRecords(s.real.records, s.real.results),
  ].join("\n");
}
