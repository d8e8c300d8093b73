// Scenarios by name: `locksim run gc-pause-longer-than-ttl` finds the scenario that ships with
// the package (its scenarios/ directory), so a user needs no path into node_modules.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../src/errors.js";
import { loadScenario } from "../sim/scenario/load-scenario.js";
import { packageRoot } from "./package-root.js";

/** One shipped scenario: its name (the file name without .json), its file and its one-line why. */
export interface ShippedScenario {
  name: string;
  file: string;
  why: string;
}

/** The shipped scenarios' directory: `<package root>/scenarios` (regressions/ is never shipped). */
export function shippedScenarioDir(root: string = packageRoot()): string {
  return join(root, "scenarios");
}

/** Names of the shipped scenarios, sorted: every `*.json` in the directory except the schema. */
export function shippedScenarioNames(dir: string = shippedScenarioDir()): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json") && f !== "scenario.schema.json")
    .map((f) => f.slice(0, -".json".length))
    .sort();
}

/** The shipped scenarios with their one-line `why`, read and validated from their files. */
export async function listShippedScenarios(dir: string = shippedScenarioDir()): Promise<ShippedScenario[]> {
  const out: ShippedScenario[] = [];
  for (const name of shippedScenarioNames(dir)) {
    const file = join(dir, `${name}.json`);
    out.push({ name, file, why: (await loadScenario(file)).why });
  }
  return out;
}

/**
 * Turns a `<scenario>` argument into a file: an existing file wins (a user's own scenario or a
 * saved counterexample), else a shipped scenario's name (with or without .json). Anything else is
 * an InputError that lists the shipped names.
 */
export function resolveScenarioArg(arg: string, dir: string = shippedScenarioDir()): string {
  if (existsSync(arg) && statSync(arg).isFile()) return arg;
  const name = arg.endsWith(".json") ? arg.slice(0, -".json".length) : arg;
  const names = shippedScenarioNames(dir);
  if (names.includes(name)) return join(dir, `${name}.json`);
  throw new InputError(`cannot read scenario ${arg}: no such file, and no shipped scenario has that name; shipped scenarios: ${names.join(", ") || "(none)"}`, { field: "scenario", found: arg, shipped: names });
}

/** The `locksim scenarios` listing: one line per shipped scenario, or JSON with `json`. */
export async function formatShippedScenarios(options: { json?: boolean } = {}): Promise<string> {
  const list = await listShippedScenarios();
  if (options.json) return JSON.stringify(list.map(({ name, why }) => ({ name, why })), null, 2);
  const width = Math.max(0, ...list.map((s) => s.name.length));
  return list.map((s) => `${s.name.padEnd(width)}  ${s.why}`).join("\n");
}
