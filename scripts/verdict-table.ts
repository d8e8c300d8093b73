// Prints, as a markdown table, the verdicts of every shipped scenario for every reference worker
// kind, one column per kind: whether the effect took place at most once, and whether two workers
// ran a task at once. The README's table is this script's output: `npx tsx scripts/verdict-table.ts`.
import { readdirSync } from "node:fs";
import { workerKindNames } from "../sim/scenario/scenario-schema.js";
import { loadScenario } from "../sim/scenario/load-scenario.js";
import { runScenario } from "../sim/scenario/run-scenario.js";

const files = readdirSync("scenarios").filter((f) => f.endsWith(".json") && f !== "scenario.schema.json").sort();
const rows = [`| scenario | ${workerKindNames.join(" | ")} |`, `|---|${workerKindNames.map(() => "---").join("|")}|`];
for (const file of files) {
  const scenario = await loadScenario(`scenarios/${file}`);
  const cells: string[] = [];
  for (const worker of workerKindNames) {
    const { verdicts } = await runScenario(scenario, { worker });
    cells.push(`${verdicts.atMostOnce === "violated" ? "**effect twice**" : "once"}; ${verdicts.exclusiveExecution === "violated" ? "overlap" : "no overlap"}`);
  }
  rows.push(`| ${scenario.name} | ${cells.join(" | ")} |`);
}
process.stdout.write(`${rows.join("\n")}\n`);
