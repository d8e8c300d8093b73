// Prints, as a markdown table, the unsafe window of every shipped scenario for every reference
// worker kind: how long two workers ran one task at once, who, and why. The README's table is this
// script's output, pasted: `npx tsx scripts/overlap-table.ts`.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { workerKindNames } from "../sim/scenario/scenario-schema.js";
import { loadScenario } from "../sim/scenario/load-scenario.js";
import { runScenario } from "../sim/scenario/run-scenario.js";
import { formatSeconds } from "../sim/report/report-time.js";
import { unsafeWindowsOf } from "../sim/report/unsafe-window.js";

/** Scenario files in a directory, by name (the JSON schema is not a scenario). */
function scenarioFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json") && f !== "scenario.schema.json")
    .sort()
    .map((f) => join(dir, f));
}

const cell = (text: string): string => text.replace(/\|/g, "\\|");

const rows: string[] = ["| scenario | worker | overlap | holders | why (computed from the trace) |", "|---|---|---|---|---|"];
for (const file of [...scenarioFiles("scenarios"), ...scenarioFiles("scenarios/regressions")]) {
  const scenario = await loadScenario(file);
  for (const worker of workerKindNames) {
    const run = await runScenario(scenario, { worker });
    const windows = unsafeWindowsOf(run);
    const name = file.startsWith("scenarios/regressions/") ? `regressions/${scenario.name}` : scenario.name;
    if (windows.length === 0) {
      rows.push(`| ${cell(name)} | ${worker} | none | — | no task ran on two workers at once |`);
      continue;
    }
    for (const w of windows) {
      rows.push(`| ${cell(name)} | ${worker} | ${formatSeconds(w.overlapMs)} | ${w.holders[0].worker} ∥ ${w.holders[1].worker} (${w.task}) | ${cell(w.explanation)} |`);
    }
  }
}
process.stdout.write(`${rows.join("\n")}\n`);
