// Checks the import rules of .dependency-cruiser.cjs over the given folders and prints each
// violation. Run: npm run lint:deps (part of npm test). It calls dependency-cruiser's API rather
// than its `depcruise` CLI because that CLI refuses to start on Node 20, which locksim supports.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { cruise, format, type ICruiseResult } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";

/** Options of lintDeps. */
export interface LintDepsOptions {
  /** Folders (or files) to cruise, relative to `baseDir`. */
  paths: readonly string[];
  /** The dependency-cruiser configuration file (.cjs, .js or .json). */
  configFile: string;
  /** The folder the paths and the rules' path patterns are relative to. Default: the current directory. */
  baseDir?: string;
}

/** What lintDeps found: `exitCode` is the number of error-severity violations (0 = clean). */
export interface LintDepsResult {
  exitCode: number;
  /** Human-readable report, one violation a line. */
  report: string;
  violations: ICruiseResult["summary"]["violations"];
}

/** Cruises `paths` with the rules of `configFile` and reports the violations. */
export async function lintDeps(options: LintDepsOptions): Promise<LintDepsResult> {
  const baseDir = resolve(options.baseDir ?? ".");
  const cruiseOptions = await extractDepcruiseOptions(resolve(options.configFile));
  cruiseOptions.baseDir = baseDir;
  const tsConfigFile = cruiseOptions.tsConfig?.fileName;
  const tsConfig = tsConfigFile === undefined ? undefined : extractTSConfig(resolve(tsConfigFile));
  // Paths stay relative: the cruiser names modules relative to the current directory otherwise.
  const cruised = await cruise([...options.paths], cruiseOptions, undefined, { tsConfig });
  const result = cruised.output as ICruiseResult;
  const formatted = await format(result, { outputType: "err" });
  return { exitCode: formatted.exitCode, report: String(formatted.output), violations: result.summary.violations };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { config: { type: "string", default: ".dependency-cruiser.cjs" } }, allowPositionals: true });
  const result = await lintDeps({ paths: positionals, configFile: values.config });
  process.stdout.write(result.report);
  process.exitCode = result.exitCode === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
