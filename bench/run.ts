// `npm run bench`: runs the benchmarks and merges their numbers into bench/results.json.
// Numbers live here, never in tests: these machines are noisy (2 shared cores).
import { readFile, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { benchSim } from "./sim-bench.js";
import { benchProperties } from "./properties-bench.js";
import { benchMemory } from "./memory-bench.js";
import { benchInstructions } from "./instructions-bench.js";
import { benchThreads } from "./threads-bench.js";

const path = "bench/results.json";

async function main(): Promise<void> {
  let results: Record<string, unknown> = {};
  try {
    results = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  } catch {
    // first run: start empty
  }
  const only = process.argv[2];
  if (!only || only === "sim") results.sim = await benchSim();
  if (!only || only === "properties") results.properties = await benchProperties();
  // Long (minutes per 100,000 runs): only when asked, `npm run bench memory 100000 300000`.
  if (only === "memory") results.memory = benchMemory({ runs: process.argv.slice(3).map(Number).filter((n) => n > 0) });
  // Needs valgrind and minutes: only when asked, `npm run bench instructions`.
  if (only === "instructions") results.instructions = benchInstructions();
  // One sweep thread alone against two at once (a minute): `npm run bench threads`.
  if (only === "threads") results.threads = await benchThreads();
  results.machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", loadAverage1m: Math.round(loadavg()[0]! * 10) / 10 };
  results.measuredAt = new Date().toISOString();
  const text = `${JSON.stringify(results, null, 2)}\n`;
  await writeFile(path, text);
  process.stdout.write(text);
}

await main();
