#!/usr/bin/env node
// The locksim command line: run scenarios in the simulator, sweep generated fault plans, replay.
import { Command, Option } from "commander";
import { checkCommand, mergeCommand, type CheckFlags } from "./check-command.js";
import { cleanupCommand, type CleanupFlags } from "./cleanup-command.js";
import { classify, describeError, exitCodes } from "./exit-codes.js";
import { parseCount, parseDurationMs, parseResource, parseSeed, parseShard, parseWorker, type RunFlags } from "./options.js";
import { replayRealCommand, type RealFlags } from "./replay-real-command.js";
import { defaultYieldTimeoutMs, runIsolated } from "./isolated-run.js";
import { shutdown } from "./shutdown.js";
import { InputError } from "../src/errors.js";
import { packageVersion } from "../properties/package-root.js";
import { formatShippedScenarios } from "../properties/scenario-lookup.js";

// `locksim run … | head` closes the pipe early; that is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

let json = false;

/** The worker and judging options shared by run and replay. */
function runOptions(cmd: Command): Command {
  return cmd
    .option("--worker <kind>", "one reference worker (naive, consul-api-lock, fenced); default: the file's worker, else every kind it names", parseWorker)
    .option("--worker-module <file[#export]>", "your own worker: an ES module (.js or .ts) exporting a WorkerFactory")
    .option("--seed <n>", "override the scenario's seed (a recorded trace hash is then not compared)", parseSeed)
    .option("--resource <policy>", "where effects land: unfenced, highest-token (default), strict-token, claim-then-commit", parseResource)
    .option("--json", "print the verdicts, trace hash and judgement as JSON")
    .option("--strict", "fail (exit 1) when any check is violated, whatever the scenario expects")
    .option("--expect-fixed", "pass when no safety check is violated: a counterexample as a fixed worker's regression test")
    .addOption(new Option("--check-determinism", "run twice and compare the traces (default for --worker-module)"))
    .addOption(new Option("--no-check-determinism", "skip the determinism check for --worker-module"))
    .option("--html <file>", "also write a self-contained HTML timeline (with --real: the simulator's run above the real one)")
    .option("--yield-timeout-ms <ms>", `stop a worker that runs this long without yielding (default ${defaultYieldTimeoutMs})`, parseCount);
}

function program(setCode: (code: number) => void): Command {
  const p = new Command();
  p.name("locksim").description("Does your Consul-lock worker run each task at most once? Simulate, sweep, replay.").version(packageVersion(), "-V, --version", "print locksim's version").exitOverride();
  // Commander's own errors (a bad option value, an unknown option) are reported as every other bad
  // input is, by main's caller: "locksim: bad input: …", and as JSON under --json.
  p.configureOutput({ outputError: () => undefined });
  runOptions(p.command("run").description("run a scenario in the simulator: timeline, verdicts, exit 0 when they meet the scenario's expectations").argument("<scenario>", "a scenario file (JSON), or the name of a shipped scenario (see 'locksim scenarios')")).action(async (file: string, flags: RunFlags) => {
    json = Boolean(flags.json);
    setCode(await runIsolated({ file, flags, command: "run", signal: shutdown.signal }));
  });
  runOptions(p.command("replay").description("rerun a scenario or a saved counterexample exactly (same worker, resource, seed); --real replays it on a Consul agent too").argument("<file>", "scenario or counterexample file"))
    .option("--real", "also run it on a real Consul agent and compare the verdicts")
    .option("--consul-addr <url>", "the agent to use (default: CONSUL_HTTP_ADDR, else start one)")
    .option("--allow-remote", "allow an agent that is not on loopback")
    .action(async (file: string, flags: RealFlags & { real?: boolean }) => {
      json = Boolean(flags.json);
      workerRuns = Boolean(flags.real);
      setCode(flags.real ? await replayRealCommand(file, flags, { signal: shutdown.signal, ledger: shutdown }) : await runIsolated({ file, flags, command: "replay", signal: shutdown.signal }));
    });
  p.command("cleanup")
    .description("remove what interrupted or killed real runs left on a Consul agent: keys under locksim's prefixes and the sessions locksim named")
    .option("--consul-addr <url>", "the agent (default: CONSUL_HTTP_ADDR, else http://127.0.0.1:8500)")
    .option("--allow-remote", "allow an agent that is not on loopback")
    .option("--dry-run", "list what would be removed; remove nothing")
    .option("--json", "print what was found, removed and left as JSON")
    .action(async (flags: CleanupFlags) => {
      json = Boolean(flags.json);
      setCode(await cleanupCommand(flags));
    });
  p.command("scenarios")
    .description("list the scenarios that ship with locksim, by name, with what each one shows")
    .option("--json", "print [{ name, why }] as JSON")
    .action(async (opts: { json?: boolean }) => {
      process.stdout.write(`${await formatShippedScenarios(opts)}\n`);
    });
  p.command("check")
    .description("property sweep over generated workloads and fault plans; a violation is shrunk and saved as a scenario file")
    .option("--worker <kind>", "reference worker to sweep", parseWorker)
    .option("--worker-module <file[#export]>", "your own worker: an ES module (.js or .ts) exporting a WorkerFactory")
    .option("--runs <n>", "number of generated runs", parseCount, 1000)
    .option("--seed <n>", "sweep seed: a whole number, or a word hashed to one (default: random, printed)", parseSeed)
    .option("--faults <list>", "comma-separated fault types to allow (default: all)")
    .option("--resource <policy>", "where effects land (default highest-token)", parseResource)
    .option("--threads <n>", "worker threads (default: one per core)", parseCount)
    .option("--require-marks <list>", "fail unless every run-state mark named is reached at least once ('default': the worker kind's set; see README, Coverage)")
    .option("--keep-going", "count every run (coverage, statistics); do not stop or shrink at the first counterexample")
    .option("--shard <i/n>", "run only the i-th of n contiguous slices of the generated sequence (merge the summaries with 'locksim merge')", parseShard)
    .option("--time-budget <duration>", "stop after this much wall time (e.g. 10m) instead of after --runs", parseDurationMs)
    .option("--out <dir>", "where counterexamples are written", "scenarios/regressions")
    .option("--json", "print the summary as JSON")
    .option("--html <file>", "also write a self-contained HTML timeline of the counterexample")
    .action(async (flags: CheckFlags, cmd: Command) => {
      json = Boolean(flags.json);
      if (flags.timeBudget !== undefined && cmd.getOptionValueSource("runs") === "default") flags.runs = Number.MAX_SAFE_INTEGER;
      setCode(await checkCommand(flags, shutdown.signal));
    });
  p.command("merge")
    .description("combine the --json summaries of a sharded sweep into the unsharded sweep's summary")
    .argument("<summaries...>", "summary files written by 'locksim check --shard i/n --json'")
    .option("--json", "print the merged summary as JSON")
    .action(async (files: string[], flags: { json?: boolean }) => {
      json = Boolean(flags.json);
      setCode(await mergeCommand(files, flags));
    });
  return p;
}

async function main(argv: string[]): Promise<number> {
  let code: number = exitCodes.met;
  // Set before parsing: an option that does not parse stops the command before its action runs.
  json = argv.slice(0, argv.includes("--") ? argv.indexOf("--") : argv.length).includes("--json");
  try {
    await program((c) => (code = c)).parseAsync(argv);
  } catch (error) {
    const e = error as { code?: string; message?: string };
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return exitCodes.met;
    if (typeof e.code === "string" && e.code.startsWith("commander.")) throw new InputError(String(e.message).replace(/^error: /, ""), { field: "argv" });
    throw error;
  }
  return code;
}

// Outside the simulated world a worker's code runs in this process only in a real replay: a
// rejection nothing handled is then most likely its, else locksim's own (README, "When your
// worker fails"). `run` and `replay` run their worlds in a thread, and `check` only guarded worlds.
let workerRuns = false;
shutdown.install((reason) => {
  const { code, kind } = workerRuns ? { code: exitCodes.workerFailed, kind: "the worker under test failed" } : { code: exitCodes.internal, kind: "internal error" };
  const message = `a promise rejection that nothing handled: ${describeError(reason, true)}`;
  if (json) process.stdout.write(`${JSON.stringify({ error: { kind, exitCode: code, message } }, null, 2)}\n`);
  return { code, report: `locksim: ${kind}: ${message}` };
});
const work = main(process.argv);
shutdown.track(work);
work.then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Stopped by a signal: the shutdown coordinator reports and sets the exit code (130 / 143).
    if (shutdown.signal.aborted) return;
    const { code, kind } = classify(error);
    const message = describeError(error, code === exitCodes.internal);
    const printed = Boolean((error as { context?: { printed?: boolean } }).context?.printed);
    if (json && !printed) process.stdout.write(`${JSON.stringify({ error: { kind, exitCode: code, message } }, null, 2)}\n`);
    process.stderr.write(`locksim: ${kind}: ${message}\n`);
    process.exitCode = code;
  },
);
