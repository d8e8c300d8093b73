// `npm run bench instructions`: instruction counts under valgrind (callgrind), the one speed
// measure that other jobs on this shared machine cannot disturb. V8 runs with --predictable and
// --single-threaded, so JIT tiering and GC happen at the same points in every run and the counts
// repeat to within ~0.03% (with the GC flags below); wall-clock rates here swing by 2x or more with the load.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { buildEchoWorld } from "../sim/echo-workload.js";
import { runScenario } from "../sim/scenario/run-scenario.js";
import { scenarioArb } from "../properties/scenario-arbitrary.js";

/** Instructions per event of the standard workload and per generated fenced run. */
export interface InstructionsBenchResult {
  /** The second run of the standard workload: still partly JIT compilation. */
  echoInstructionsPerEvent: number;
  /** Runs 3 to 8 of the standard workload, per event: the loop's steady cost. */
  echoInstructionsPerEventSteady: number;
  echoEventsPerRun: number;
  /** The first `fencedRuns` generated fenced runs, per run: mostly V8 compiling the simulator (start-up). */
  fencedInstructionsPerRun: number;
  fencedRuns: number;
  /** Generated fenced runs 301 to 1,200, per run: the steady cost of a run in a long sweep. */
  fencedInstructionsPerRunSteady: number;
  workload: string;
}

const child = fileURLToPath(import.meta.url);

// Instructions of one child process (`mode`), counted by callgrind, and what the child printed.
function count(mode: string, arg: number): { instructions: number; stdout: string } {
  // --no-memory-reducer and a large initial heap: the memory reducer and heap growth are paced by
  // wall time, which valgrind stretches unevenly, and made the same build's count vary by ~2%.
  const flags = ["--predictable", "--single-threaded", "--no-memory-reducer", "--initial-heap-size=512"];
  const out = spawnSync("valgrind", ["--tool=callgrind", "--callgrind-out-file=/dev/null", process.execPath, ...flags, child, mode, String(arg)], { encoding: "utf8" });
  if (out.error || out.status !== 0) throw new Error(`instructions bench: valgrind ${mode} ${arg} failed (${out.error?.message ?? `exit ${out.status}`}); install valgrind (apt-get install valgrind)`);
  const m = /Collected : (\d+)/.exec(out.stderr);
  if (!m) throw new Error(`instructions bench: no "Collected" line in valgrind's output for ${mode} ${arg}`);
  return { instructions: Number(m[1]), stdout: out.stdout };
}

/** Counts the standard workload (two runs minus one) and `fencedRuns` generated fenced runs (minus none). */
export function benchInstructions(options: { fencedRuns?: number } = {}): InstructionsBenchResult {
  const fencedRuns = options.fencedRuns ?? 150;
  // Differences cancel what every process does anyway: start-up, imports, the first run's compilation.
  const echoOne = count("echo", 1);
  const echoTwo = count("echo", 2);
  const echoEight = count("echo", 8);
  const fencedNone = count("fenced", 0);
  const fencedAll = count("fenced", fencedRuns);
  // A sweep thread runs thousands of runs: past the first few hundred, V8 has compiled what they use
  // (callgrind: in the first 300 runs, TurboFan itself is about 45% of the instructions).
  const fenced300 = count("fenced", 300);
  const fenced1200 = count("fenced", 1200);
  const eventsPerRun = Number(echoTwo.stdout.trim());
  return {
    echoInstructionsPerEvent: Math.round((echoTwo.instructions - echoOne.instructions) / eventsPerRun),
    echoInstructionsPerEventSteady: Math.round((echoEight.instructions - echoTwo.instructions) / 6 / eventsPerRun),
    echoEventsPerRun: eventsPerRun,
    fencedInstructionsPerRun: Math.round((fencedAll.instructions - fencedNone.instructions) / fencedRuns),
    fencedRuns,
    fencedInstructionsPerRunSteady: Math.round((fenced1200.instructions - fenced300.instructions) / 900),
    workload: "callgrind instruction counts, node --predictable --single-threaded --no-memory-reducer --initial-heap-size=512: echo = the second run of the standard workload (seed bench-1) = count(2 runs) - count(1 run); echo steady = (count(8 runs) - count(2 runs)) / 6; fenced = count(N generated fenced runs, sweep seed 1, step records off) - count(0 runs); fenced steady = (count(1200 runs) - count(300 runs)) / 900",
  };
}

// As the child: the work to count.
if (process.argv[1] === child) {
  const mode = process.argv[2];
  const n = Number(process.argv[3]);
  if (mode === "echo") {
    let steps = 0;
    for (let i = 0; i < n; i++) steps = (await buildEchoWorld({ seed: "bench-1" }).run()).steps;
    process.stdout.write(`${steps}\n`);
  } else {
    const scenarios = fc.sample(scenarioArb({ worker: "fenced" }), { seed: 1, path: "0", numRuns: Math.max(1, n) });
    for (const s of scenarios.slice(0, n)) await runScenario(s, { worker: "fenced", traceSteps: false });
  }
}
