import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { SweepSummary } from "../properties/sweep.js";
import type { SideBySide } from "../replay/replay-real.js";
import { renderHtmlReport, reportRunOf, type ReportRun } from "../sim/report/html-report.js";
import { unsafeWindowsOf, unsafeWindows, type UnsafeWindow } from "../sim/report/unsafe-window.js";
import { runScenario, type ScenarioRun } from "../sim/scenario/run-scenario.js";
import type { Scenario } from "../sim/scenario/scenario-schema.js";
import type { WorkerFactory } from "../src/workers/worker-types.js";

/**
 * The CLI's `--html <file>` and the unsafe-window numbers of `--json`, kept out of cli/main.ts so
 * that the command definitions stay short. Each report is one self-contained HTML file.
 */

/** Writes a report file (creating its directory) and says where, on stderr so that --json stays clean. */
async function write(file: string, html: string): Promise<void> {
  const path = resolve(file);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, html);
  process.stderr.write(`report: ${path}\n`);
}

/** `run --html` and `replay --html`: every worker kind's simulator run, stacked on one axis. */
export async function writeRunsHtml(file: string, scenario: Scenario, runs: readonly ScenarioRun[]): Promise<void> {
  await write(file, renderHtmlReport({ title: scenario.name, subtitle: scenario.why, runs: runs.map((r) => reportRunOf(r)) }));
}

/** A real run as a report run, beside its simulator twin. */
function realReportRun(scenario: Scenario, s: SideBySide): ReportRun {
  const skipped = s.real.skippedFaults.length ? `; not played: ${s.real.skippedFaults.join("; ")}` : "";
  return {
    label: `${s.worker} · real Consul`,
    records: s.real.records,
    results: s.real.results,
    consul: scenario.consul,
    workers: Array.from({ length: scenario.workers.count }, (_, i) => `w${i + 1}`),
    note: `${(s.real.wallMs / 1000).toFixed(1)} s real${skipped}`,
  };
}

/** `replay --real --html`: per worker kind, the simulator's run above the real one, on one axis. */
export async function writeSideBySideHtml(file: string, scenario: Scenario, results: readonly SideBySide[]): Promise<void> {
  const runs = results.flatMap((s) => [reportRunOf(s.sim), realReportRun(scenario, s)]);
  await write(file, renderHtmlReport({ title: `${scenario.name} · simulator and real Consul`, subtitle: scenario.why, runs }));
}

/** `check --html`: the shrunk counterexample, rerun (deterministically) to draw its trace. */
export async function writeCounterexampleHtml(file: string, summary: SweepSummary, worker: { factory: WorkerFactory; name: string }): Promise<void> {
  const c = summary.counterexample;
  if (!c) {
    process.stderr.write(`report: none written to ${file}: the sweep found no counterexample\n`);
    return;
  }
  const run = await runScenario(c.scenario, { worker: worker.factory, workerName: worker.name, resource: c.scenario.resource });
  await write(file, renderHtmlReport({ title: c.scenario.name, subtitle: c.scenario.why, runs: [reportRunOf(run, `${summary.worker} · counterexample`)] }));
}

/** The unsafe windows of a simulator run, for `--json`. */
export function runWindowsJson(run: ScenarioRun): UnsafeWindow[] {
  return unsafeWindowsOf(run);
}

/** The unsafe windows of a real run, for `replay --real --json`. */
export function realWindowsJson(scenario: Scenario, s: SideBySide): UnsafeWindow[] {
  return unsafeWindows(s.real.records, { consul: scenario.consul });
}
