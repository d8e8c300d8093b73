import { mkdir, writeFile } from "node:fs/promises";
import { isAbsolute, join, relative } from "node:path";
import { InputError } from "../src/errors.js";
import type { ResourcePolicy } from "../src/resources/resource-policy.js";
import type { ScenarioRun } from "../sim/scenario/run-scenario.js";
import type { Scenario } from "../sim/scenario/scenario-schema.js";
import { workerRefForFile, workerRefName, type WorkerRef } from "./worker-ref.js";

/** The sweep options a counterexample records, so that its replay line is complete. */
export interface SweepProvenance {
  /** Undefined for a factory handed in directly. */
  ref: WorkerRef | undefined;
  /** The worker's name (used when there is no ref). */
  name: string;
  seed: number;
  runs: number;
  faultTypes: string[] | undefined;
  resource: ResourcePolicy | undefined;
  path: string;
  foundAtRun: number;
}

/**
 * A module's path as the command line names it: relative to the working directory when it lies
 * inside it (a counterexample kept in the repository then reads the same on every machine),
 * absolute otherwise.
 */
function commandPath(module: string): string {
  const rel = relative(process.cwd(), module).split("\\").join("/");
  return rel && !rel.startsWith("../") && rel !== ".." && !isAbsolute(rel) ? `./${rel}` : module;
}

/** The `locksim check` command line that reruns a sweep exactly. */
export function checkCommand(p: Omit<SweepProvenance, "path" | "foundAtRun">): string {
  const worker = !p.ref ? "--worker-module <the module exporting it>" : "kind" in p.ref ? `--worker ${p.ref.kind}` : `--worker-module ${commandPath(p.ref.module)}${p.ref.export === "default" ? "" : `#${p.ref.export}`}`;
  return [`locksim check ${worker}`, `--seed ${p.seed}`, `--runs ${p.runs}`, p.faultTypes ? `--faults ${p.faultTypes.join(",")}` : "", p.resource ? `--resource ${p.resource}` : ""].filter(Boolean).join(" ");
}

/** A file name's safe form of a worker name. */
function slug(name: string): string {
  return name.replace(/\.[cm]?[jt]sx?/, "").replace(/[^A-Za-z0-9_-]+/g, "-");
}

/**
 * Builds the counterexample scenario from the shrunk one and its full-trace rerun: it records the
 * worker (module path relative to the file), the resource, the sweep's options, its verdicts and
 * its trace hash, so that `locksim replay <file>` reruns it with no other flags.
 */
export function counterexampleScenario(shrunk: Scenario, rerun: ScenarioRun, p: SweepProvenance, detail: string, file: string | undefined): Scenario {
  const name = p.ref ? workerRefName(p.ref) : p.name;
  const command = checkCommand(p);
  return {
    ...shrunk,
    name: `counterexample-${slug(name)}-${p.seed}`,
    why: `Found by '${command}' (fast-check path ${p.path}); shrunk to ${shrunk.faults.length} fault(s). ${detail}.`,
    expect: { [name]: rerun.verdicts },
    traceHashes: { [name]: rerun.traceHash },
    ...(p.ref ? { worker: file ? workerRefForFile(p.ref, file) : p.ref } : {}),
    ...(p.resource ? { resource: p.resource } : {}),
    provenance: { command, seed: p.seed, runs: p.runs, faults: p.faultTypes ?? null, path: p.path, foundAtRun: p.foundAtRun },
  };
}

/** Writes a counterexample into `outDir`; returns its path. */
export async function writeCounterexample(outDir: string, build: (file: string) => Scenario, p: { name: string; seed: number; traceHash: string }): Promise<string> {
  try {
    await mkdir(outDir, { recursive: true });
  } catch (error) {
    throw new InputError(`--out ${outDir}: expected a directory for counterexample files; ${error instanceof Error ? error.message : String(error)}`, { field: "out" });
  }
  const file = join(outDir, `${slug(p.name)}-seed${p.seed}-${p.traceHash.slice(0, 8)}.json`);
  await writeFile(file, `${JSON.stringify(build(file), null, 2)}\n`);
  return file;
}
