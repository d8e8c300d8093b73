import { dirname } from "node:path";
import { loadWorker, parseModuleSpec, type LoadedWorker } from "../properties/worker-ref.js";
import { agentFor, formatSideBySide, replaySideBySide, type ReplayWorker } from "../replay/replay-real.js";
import { isWorkerKind } from "../src/workers/worker-kinds.js";
import { judge } from "../sim/scenario/expectations.js";
import { loadScenario } from "../sim/scenario/load-scenario.js";
import type { Scenario } from "../sim/scenario/scenario-schema.js";
import { exitCodes } from "./exit-codes.js";
import { realWindowsJson, runWindowsJson, writeSideBySideHtml } from "./html-output.js";
import { resolveScenarioArg } from "../properties/scenario-lookup.js";
import { judgeMode, type RunFlags } from "./options.js";

/** Flags of `locksim replay --real`. */
export interface RealFlags extends RunFlags {
  consulAddr?: string;
  allowRemote?: boolean;
}

/** The workers of a real replay: the one named, else the file's own, else every kind it expects. */
async function replayWorkers(scenario: Scenario, file: string, flags: RealFlags): Promise<ReplayWorker[]> {
  const asReplay = (w: LoadedWorker): ReplayWorker => (w.ref && "kind" in w.ref ? w.ref.kind : { name: w.name, factory: w.factory });
  if (flags.workerModule) return [asReplay(await loadWorker(parseModuleSpec(flags.workerModule)))];
  if (flags.worker) return [flags.worker];
  const own = scenario.worker;
  if (own) return [asReplay(await loadWorker("kind" in own ? own : parseModuleSpec(`${own.module}#${own.export}`, dirname(file))))];
  return Object.keys(scenario.expect).filter(isWorkerKind);
}

/**
 * `locksim replay <file> --real`: the scenario in the simulator and on a real Consul agent, side by
 * side. Exit 0 when the real verdicts equal the simulator's and meet the expectations, else 1.
 */
export async function replayRealCommand(file: string, flags: RealFlags, onAgent: (stop: () => Promise<void>) => void): Promise<number> {
  file = resolveScenarioArg(file);
  const scenario = await loadScenario(file);
  const workers = await replayWorkers(scenario, file, flags);
  const agent = await agentFor(flags);
  onAgent(() => agent.stop());
  try {
    if (!flags.json) process.stdout.write(`replaying ${scenario.name} on Consul at ${agent.addr} (${agent.source}); this takes real time…\n`);
    const results = await replaySideBySide(scenario, workers, agent.addr, { useClusterForFailover: !flags.consulAddr, resource: flags.resource });
    const judged = results.map((r) => ({ r, j: judge({ scenario, workerName: r.worker, verdicts: { ...r.real.verdicts, modelInvariants: r.sim.verdicts.modelInvariants }, mode: judgeMode(flags) }) }));
    if (flags.json) {
      const out = judged.map(({ r, j }) => ({ worker: r.worker, simulator: { verdicts: r.sim.verdicts, traceHash: r.sim.traceHash, wallMs: Math.round(r.sim.wallMs), unsafeWindows: runWindowsJson(r.sim) }, real: { verdicts: r.real.verdicts, wallMs: r.real.wallMs, leftover: r.real.leftover, unsafeWindows: realWindowsJson(scenario, r) }, same: r.differing.length === 0, ok: j.ok && r.differing.length === 0, mismatches: j.mismatches }));
      process.stdout.write(`${JSON.stringify(out.length === 1 ? out[0] : out, null, 2)}\n`);
    } else {
      for (const { r, j } of judged) {
        process.stdout.write(`\n== ${scenario.name} · worker ${r.worker}\n${formatSideBySide(r)}\n`);
        process.stdout.write(j.ok ? `expectations met (${j.basis})\n` : `NOT MET (${j.basis}):\n${j.mismatches.map((m) => `  MISMATCH ${m}`).join("\n")}\n`);
      }
    }
    if (flags.html) await writeSideBySideHtml(flags.html, scenario, results);
    return judged.every(({ r, j }) => j.ok && r.differing.length === 0) ? exitCodes.met : exitCodes.failed;
  } finally {
    await agent.stop();
  }
}
