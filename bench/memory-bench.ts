// `npm run bench memory [runs...]`: peak RSS of long fenced sweeps (issue 14, "Memory"). Each sweep
// runs in a child process of its own, so that one sweep's peak is not another's.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runSweep } from "../properties/sweep.js";

/** One long sweep: its runs, wall time and the peak RSS of its whole process (main thread and sweep threads). */
export interface MemoryBenchRow {
  runs: number;
  wallMs: number;
  runsPerSec: number;
  peakRssMb: number;
}

/** Result of the memory benchmark. */
export interface MemoryBenchResult {
  rows: MemoryBenchRow[];
  workload: string;
}

const child = fileURLToPath(import.meta.url);

/** Runs `locksim check --worker fenced --seed 1 --keep-going` for each length in a fresh process. */
export function benchMemory(options: { runs?: number[] } = {}): MemoryBenchResult {
  const rows: MemoryBenchRow[] = [];
  for (const runs of options.runs ?? [100_000]) {
    const out = spawnSync(process.execPath, [child, String(runs)], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    if (out.status !== 0) throw new Error(`memory bench: the ${runs}-run sweep exited with ${out.status}`);
    rows.push(JSON.parse(out.stdout) as MemoryBenchRow);
    process.stderr.write(`memory bench: ${out.stdout}`);
  }
  return { rows, workload: "check --worker fenced --seed 1 --keep-going (every run judged, no stop at the first counterexample), default threads; peak RSS = the process's maxRSS (main thread + sweep threads)" };
}

// As the child: one sweep, then its numbers on stdout.
if (process.argv[1] === child) {
  const runs = Number(process.argv[2]);
  const summary = await runSweep({ worker: "fenced", runs, seed: 1, keepGoing: true });
  const row: MemoryBenchRow = { runs: summary.runs, wallMs: summary.wallMs, runsPerSec: summary.runsPerSec, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
  process.stdout.write(`${JSON.stringify(row)}\n`);
}
