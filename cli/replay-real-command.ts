import { dirname } from "node:path";
import { loadWorker, parseModuleSpec, type LoadedWorker } from "../properties/worker-ref.js";
import { agentFor, formatSideBySide, replaySideBySide, type ReplayWorker, type SideBySide } from "../replay/replay-real.js";
import { expectedKinds, nameForFile } from "../properties/run-scenario-file.js";
import { judge } from "../sim/scenario/expectations.js";
import { loadScenario } from "../sim/scenario/load-scenario.js";
import type { Scenario } from "../sim/scenario/scenario-schema.js";
import { exitCodes, WorkerFailedError } from "./exit-codes.js";
import { realWindowsJson, runWindowsJson, writeSideBySideHtml } from "./html-output.js";
import { resolveScenarioArg } from "../properties/scenario-lookup.js";
import { judgeMode, type RunFlags } from "./options.js";
import type { CleanupLedger } from "../replay/cleanup-ledger.js";
import { preflightConsul } from "../replay/preflight.js";

/** Flags of `locksim replay --real`. */
export interface RealFlags extends RunFlags {
  consulAddr?: string;
  allowRemote?: boolean;
}

/** The workers of a real replay: the one named, else the file's own, else every kind it expects. */
async function replayWorkers(scenario: Scenario, file: string, flags: RealFlags): Promise<ReplayWorker[]> {
  const asReplay = (w: LoadedWorker): ReplayWorker => (w.ref && "kind" in w.ref ? w.ref.kind : { name: w.name, factory: w.factory });
  if (flags.workerModule) {
    const loaded = await loadWorker(parseModuleSpec(flags.workerModule));
    return [asReplay({ ...loaded, name: nameForFile(scenario, loaded.name) })];
  }
  if (flags.worker) return [flags.worker];
  const own = scenario.worker;
  if (own) return [asReplay(await loadWorker("kind" in own ? own : parseModuleSpec(`${own.module}#${own.export}`, dirname(file))))];
  return expectedKinds(scenario, file);
}

/** How the command is stopped (Ctrl+C, SIGTERM) and where it reports what it removed: cli/shutdown.ts. */
export interface StopControl {
  signal: AbortSignal;
  ledger: CleanupLedger;
}

/**
 * `locksim replay <file> --real`: the scenario in the simulator and on a real Consul agent, side by
 * side. Exit 0 when the real verdicts equal the simulator's and meet the expectations, else 1; 3
 * when the worker threw, rejected or left a rejection unhandled in either world, as in `run`. A
 * preflight first checks the agent and the token (exit 2 on a refusal). On a stop signal every
 * run removes its sessions and keys and every agent or cluster started here is stopped.
 */
export async function replayRealCommand(file: string, flags: RealFlags, stop: StopControl): Promise<number> {
  file = resolveScenarioArg(file);
  const scenario = await loadScenario(file);
  const workers = await replayWorkers(scenario, file, flags);
  const agent = await agentFor({ ...flags, signal: stop.signal });
  const name = `the Consul agent locksim started at ${agent.addr}${agent.pid ? ` (pid ${agent.pid})` : ""}`;
  const unregister = agent.source === "env" ? undefined : stop.ledger.register(name, () => agent.stop());
  try {
    const token = process.env.CONSUL_HTTP_TOKEN;
    const pre = await preflightConsul({ addr: agent.addr, token });
    if (!flags.json) process.stdout.write(`replaying ${scenario.name} on Consul at ${agent.addr} (${agent.source}; leader ${pre.leader}, preflight ${pre.tookMs}ms); this takes real time…\n`);
    const results = await replaySideBySide(scenario, workers, agent.addr, { useClusterForFailover: !flags.consulAddr, resource: flags.resource, token, signal: stop.signal, ledger: stop.ledger, disposableAgent: agent.source !== "env" });
    const judged = results.map((r) => ({ r, j: judge({ scenario, workerName: r.worker, verdicts: { ...r.real.verdicts, modelInvariants: r.sim.verdicts.modelInvariants }, mode: judgeMode(flags) }) }));
    const failures = results.flatMap(workerFailuresOf);
    if (flags.json) {
      const failed = failures.length ? { error: { kind: "the worker under test failed", exitCode: exitCodes.workerFailed, message: failures.join("\n") } } : {};
      const out = judged.map(({ r, j }) => ({ worker: r.worker, simulator: { verdicts: r.sim.verdicts, traceHash: r.sim.traceHash, wallMs: Math.round(r.sim.wallMs), unsafeWindows: runWindowsJson(r.sim) }, real: { verdicts: r.real.verdicts, wallMs: r.real.wallMs, leftover: r.real.leftover, unsafeWindows: realWindowsJson(scenario, r) }, same: r.differing.length === 0, ok: j.ok && r.differing.length === 0 && workerFailuresOf(r).length === 0, mismatches: j.mismatches, ...failed }));
      process.stdout.write(`${JSON.stringify(out.length === 1 ? out[0] : out, null, 2)}\n`);
    } else {
      for (const { r, j } of judged) {
        process.stdout.write(`\n== ${scenario.name} · worker ${r.worker}\n${formatSideBySide(r)}\n`);
        const met = workerFailuresOf(r).length ? `verdicts as expected (${j.basis}), but THE WORKER FAILED in this run (below; exit 3)` : `expectations met (${j.basis})`;
        process.stdout.write(j.ok ? `${met}\n` : `NOT MET (${j.basis}):\n${j.mismatches.map((m) => `  MISMATCH ${m}`).join("\n")}\n`);
      }
    }
    if (flags.html) await writeSideBySideHtml(flags.html, scenario, results);
    // As in `locksim run`: the stories were printed; the failure is the worker's, not a verdict.
    if (failures.length) throw new WorkerFailedError(`the worker threw, rejected or left a promise rejection unhandled:\n  ${failures.join("\n  ")}`, { printed: true });
    return judged.every(({ r, j }) => j.ok && r.differing.length === 0) ? exitCodes.met : exitCodes.failed;
  } finally {
    await agent.stop();
    unregister?.();
    if (unregister && stop.signal.aborted) stop.ledger.noteRemoved(name);
  }
}

// The worker's failures in either world, one line each: `host.failed` records of the simulator's
// trace and of the real run's log (the same vocabulary).
function workerFailuresOf(r: SideBySide): string[] {
  const lines: string[] = [];
  for (const [world, records] of [["simulator", r.sim.fleet.world.trace.records], ["real Consul", r.real.records]] as const) {
    for (const rec of records) if (rec.kind === "host.failed") lines.push(`${r.worker} on ${rec.host} at t=${rec.atMs}ms (${world}): ${rec.data.error}`);
  }
  return lines;
}
