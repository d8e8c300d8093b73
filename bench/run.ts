// `npm run bench`: runs the benchmarks and merges their numbers into bench/results.json.
// Numbers live here, never in tests: these machines are noisy (2 shared cores).
import { readFile, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { benchSim } from "./sim-bench.js";
import { benchProperties } from "./properties-bench.js";

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
  results.machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown" };
  results.measuredAt = new Date().toISOString();
  const text = `${JSON.stringify(results, null, 2)}\n`;
  await writeFile(path, text);
  process.stdout.write(text);
}

await main();
