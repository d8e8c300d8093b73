#!/usr/bin/env node
// The locksim command line: run scenarios in the simulator, sweep generated fault plans, replay.
import { Command, InvalidArgumentError } from "commander";
import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { WorkerFactory } from "../src/workers/worker-types.js";
import { InputError } from "../src/errors.js";
import { isWorkerKind, type WorkerKind } from "../src/workers/worker-kinds.js";
import { loadScenario } from "../sim/scenario/load-scenario.js";
import { runScenario, type ScenarioRun } from "../sim/scenario/run-scenario.js";
import { workerKindNames, type Scenario } from "../sim/scenario/scenario-schema.js";
import { formatTimeline, formatVerdicts } from "../sim/report/timeline.js";
import { runSweep } from "../properties/sweep.js";
import { agentFor, formatSideBySide, replaySideBySide } from "../replay/replay-real.js";
import { realWindowsJson, runWindowsJson, writeCounterexampleHtml, writeRunsHtml, writeSideBySideHtml } from "./html-output.js";

// `locksim run … | head` closes the pipe early; that is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

function parseWorker(value: string): WorkerKind {
  if (!isWorkerKind(value)) throw new InvalidArgumentError(`expected one of ${workerKindNames.join(", ")}; found "${value}"`);
  return value;
}

function parseSeed(value: string): number | string {
  return /^-?\d+$/.test(value) ? Number(value) : value;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number ≥ 1; found "${value}"`);
  return n;
}

function kindsOf(scenario: Scenario, worker: WorkerKind | undefined): WorkerKind[] {
  return worker ? [worker] : (Object.keys(scenario.expect) as WorkerKind[]);
}

function anyViolated(runs: ScenarioRun[]): boolean {
  return runs.some((r) => Object.values(r.verdicts).includes("violated"));
}

/** Loads a user's worker: an ES module whose default export (or `worker` export) is a WorkerFactory. */
async function loadWorkerModule(path: string): Promise<{ name: string; factory: WorkerFactory }> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new InputError(`--worker-module ${path}: cannot import it: ${error instanceof Error ? error.message : String(error)}`, { field: "worker-module" });
  }
  const factory = typeof mod.default === "function" ? mod.default : mod.worker;
  if (typeof factory !== "function") {
    throw new InputError(`--worker-module ${path}: expected a WorkerFactory as the default export or as \`worker\`; found exports ${Object.keys(mod).join(", ") || "(none)"}`, { field: "worker-module" });
  }
  return { name: basename(path).replace(/\.[cm]?[jt]s$/, ""), factory: factory as WorkerFactory };
}

async function runFile(file: string, options: { worker?: WorkerKind; workerModule?: string; seed?: number | string; json?: boolean; replay?: boolean; html?: string }): Promise<number> {
  const scenario = await loadScenario(file);
  const runs: ScenarioRun[] = [];
  let hashMismatch = false;
  const custom = options.workerModule ? await loadWorkerModule(options.workerModule) : undefined;
  const targets: (WorkerKind | { name: string; factory: WorkerFactory })[] = custom ? [custom] : kindsOf(scenario, options.worker);
  for (const target of targets) {
    const kind = typeof target === "string" ? target : (target.name as WorkerKind);
    const run = await runScenario(scenario, typeof target === "string" ? { worker: target, seed: options.seed } : { worker: target.factory, workerName: target.name, seed: options.seed });
    runs.push(run);
    const recorded = scenario.traceHashes?.[kind];
    if (options.replay && recorded && options.seed === undefined && recorded !== run.traceHash) hashMismatch = true;
    if (options.json) continue;
    process.stdout.write(`\n== ${scenario.name} · worker ${kind} · seed ${String(run.seed)}\n   ${scenario.why}\n\n`);
    process.stdout.write(`${formatTimeline(run)}\n\nverdicts:\n${formatVerdicts(run, scenario.expect[kind])}\n`);
    process.stdout.write(`\ntrace ${run.traceHash} (${run.fleet.world.steps} events, ${run.fleet.world.nowMs}ms virtual, ${run.wallMs.toFixed(0)}ms wall)\n`);
    if (recorded && options.replay) process.stdout.write(recorded === run.traceHash ? "replay: byte-identical to the recorded trace\n" : `replay: DIFFERS from the recorded trace ${recorded}\n`);
    if (Object.values(run.verdicts).includes("violated")) {
      process.stdout.write(custom ? `replay: locksim run ${file} --worker-module ${options.workerModule}\n` : `replay: locksim replay ${file} --worker ${kind}\n`);
    }
  }
  if (options.json) {
    const out = runs.map((r) => ({ worker: r.worker, seed: r.seed, verdicts: r.verdicts, traceHash: r.traceHash, unsafeWindows: runWindowsJson(r) }));
    process.stdout.write(`${JSON.stringify(out.length === 1 ? out[0] : out, null, 2)}\n`);
  }
  if (options.html) await writeRunsHtml(options.html, scenario, runs);
  if (hashMismatch) return 1;
  return anyViolated(runs) ? 1 : 0;
}

async function replayReal(file: string, opts: { worker?: WorkerKind; json?: boolean; consulAddr?: string; allowRemote?: boolean; html?: string }): Promise<number> {
  const scenario = await loadScenario(file);
  const agent = await agentFor(opts);
  const stopAgent = (): void => {
    void agent.stop().finally(() => process.exit(130));
  };
  // Ctrl+C: the runs clean up in their finally blocks; stop an agent we started.
  process.once("SIGINT", stopAgent);
  try {
    if (!opts.json) process.stdout.write(`replaying ${scenario.name} on Consul at ${agent.addr} (${agent.source}); this takes real time…\n`);
    const results = await replaySideBySide(scenario, kindsOf(scenario, opts.worker), agent.addr, { useClusterForFailover: !opts.consulAddr });
    if (opts.json) {
      const out = results.map((r) => ({ worker: r.worker, simulator: { verdicts: r.sim.verdicts, traceHash: r.sim.traceHash, wallMs: Math.round(r.sim.wallMs), unsafeWindows: runWindowsJson(r.sim) }, real: { verdicts: r.real.verdicts, wallMs: r.real.wallMs, leftover: r.real.leftover, unsafeWindows: realWindowsJson(scenario, r) }, same: r.differing.length === 0 }));
      process.stdout.write(`${JSON.stringify(out.length === 1 ? out[0] : out, null, 2)}\n`);
    } else {
      for (const r of results) process.stdout.write(`\n== ${scenario.name} · worker ${r.worker}\n${formatSideBySide(r)}\n`);
    }
    if (opts.html) await writeSideBySideHtml(opts.html, scenario, results);
    const differ = results.some((r) => r.differing.length > 0);
    const violated = results.some((r) => Object.values(r.real.verdicts).includes("violated"));
    return differ || violated ? 1 : 0;
  } finally {
    process.removeListener("SIGINT", stopAgent);
    await agent.stop();
  }
}

async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program.name("locksim").description("Does your Consul-lock worker run each task at most once? Simulate, sweep, replay.").exitOverride();
  let code = 0;
  program
    .command("run")
    .description("run a scenario in the simulator; prints the timeline and the verdicts (exit 1 if a check is violated)")
    .argument("<scenario>", "scenario file (JSON)")
    .option("--worker <kind>", `one worker kind (${workerKindNames.join(", ")}); default: every kind the scenario names`, parseWorker)
    .option("--worker-module <path>", "your own worker: an ES module exporting a WorkerFactory (default export or `worker`)")
    .option("--seed <n>", "override the scenario's seed", parseSeed)
    .option("--json", "print { verdicts, traceHash, unsafeWindows } as JSON")
    .option("--html <file>", "also write a self-contained HTML timeline of the run(s)")
    .action(async (file: string, opts: { worker?: WorkerKind; workerModule?: string; seed?: number | string; json?: boolean; html?: string }) => {
      code = await runFile(file, opts);
    });
  program
    .command("replay")
    .description("rerun a scenario or a saved counterexample exactly; checks the recorded trace hash; --real replays it on a Consul agent too")
    .argument("<scenario>", "scenario or counterexample file")
    .option("--worker <kind>", "one worker kind", parseWorker)
    .option("--json", "print { verdicts, traceHash } as JSON")
    .option("--real", "also run it on a real Consul agent and compare the verdicts")
    .option("--consul-addr <url>", "the agent to use (default: CONSUL_HTTP_ADDR, else start one)")
    .option("--allow-remote", "allow an agent that is not on loopback")
    .option("--html <file>", "also write a self-contained HTML timeline (with --real: the simulator's run above the real one)")
    .action(async (file: string, opts: { worker?: WorkerKind; json?: boolean; real?: boolean; consulAddr?: string; allowRemote?: boolean; html?: string }) => {
      if (!opts.real) {
        code = await runFile(file, { ...opts, replay: true });
        return;
      }
      code = await replayReal(file, opts);
    });
  program
    .command("check")
    .description("property sweep: generated workloads and fault plans; a violation is shrunk and saved as a scenario")
    .option("--worker <kind>", "worker kind to sweep", parseWorker, "naive" as WorkerKind)
    .option("--runs <n>", "number of generated runs", parseCount, 1000)
    .option("--seed <n>", "sweep seed (default: random)", parseSeed)
    .option("--faults <list>", "comma-separated fault types to allow (default: all)")
    .option("--out <dir>", "where counterexamples are written", "scenarios/regressions")
    .option("--json", "print the summary as JSON")
    .option("--html <file>", "also write a self-contained HTML timeline of the counterexample")
    .action(async (opts: { worker: WorkerKind; runs: number; seed?: number | string; faults?: string; out: string; json?: boolean; html?: string }) => {
      const seed = typeof opts.seed === "number" ? opts.seed : opts.seed !== undefined ? hashSeed(opts.seed) : Math.floor(Math.random() * 2 ** 31);
      const summary = await runSweep({ worker: opts.worker, runs: opts.runs, seed, faultTypes: opts.faults?.split(",").map((s) => s.trim()), outDir: opts.out, progress: !opts.json && process.stderr.isTTY, log: opts.json ? () => undefined : (line) => process.stdout.write(`${line}\n`) });
      if (opts.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      if (opts.html) await writeCounterexampleHtml(opts.html, summary);
      code = summary.counterexample ? 1 : 0;
    });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    const e = error as { code?: string; exitCode?: number; message?: string };
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
    if (typeof e.code === "string" && e.code.startsWith("commander.")) return 2;
    throw error;
  }
  return code;
}

function hashSeed(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof InputError) {
      process.stderr.write(`locksim: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`locksim: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 3;
  },
);
