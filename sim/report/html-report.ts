import type { ScenarioRun } from "../scenario/run-scenario.js";
import { checkNames } from "../scenario/scenario-schema.js";
import { reportCss, legendHtml, zoomScript } from "./report-assets.js";
import { buildRunModel, type ReportRun, type RunModel } from "./report-model.js";
import { esc, tickStepsMs } from "./svg-kit.js";
import { timelineSvg } from "./timeline-svg.js";
import { verdictLabel } from "./timeline.js";

export type { ReportRun } from "./report-model.js";

/** Options of renderHtmlReport. */
export interface HtmlReportOptions {
  /** The page's heading, e.g. "gc-pause-longer-than-ttl". */
  title: string;
  /** A sentence under the heading (the scenario's `why`). */
  subtitle?: string | undefined;
  /** The runs, stacked top to bottom on one time axis (e.g. the simulator's run above the real one). */
  runs: readonly ReportRun[];
  /** Plot width at zoom 1 (px). Default 1100. */
  plotWidthPx?: number;
}

/** A simulator run as a report run, labelled "<worker> · simulator" unless `label` says otherwise. */
export function reportRunOf(run: ScenarioRun, label?: string): ReportRun {
  return {
    label: label ?? `${run.worker} · simulator`,
    records: run.fleet.world.trace.records,
    results: run.results,
    consul: run.scenario.consul,
    workers: Array.from({ length: run.scenario.workers.count }, (_, i) => `w${i + 1}`),
    note: `seed ${String(run.seed)} · ${(run.fleet.world.nowMs / 1000).toFixed(1)} s virtual`,
  };
}

/** The verdicts and the violations of one run, as HTML: each violation with its explanation. */
function summaryHtml(model: RunModel): string {
  const results = model.run.results;
  const rows = results
    ? checkNames.map((c) => `<tr><td>${c}</td><td class="v-${results[c].verdict}">${esc(verdictLabel(results[c].verdict))}</td><td>${esc(results[c].detail)}</td></tr>`).join("")
    : "";
  const items: string[] = [];
  for (const w of model.windows) {
    items.push(`<li class="violation unsafe" data-task="${esc(w.task)}" data-overlap-ms="${w.overlapMs}"><b>unsafe window, ${esc(w.task)}:</b> ${esc(w.explanation)}</li>`);
  }
  for (const v of model.violations) {
    if (v.check === "exclusiveExecution" && model.windows.length > 0) continue;
    items.push(`<li class="violation" data-check="${v.check}"><b>${v.check}:</b> ${esc(v.detail)}</li>`);
  }
  return `<div class="run-summary" data-run-label="${esc(model.run.label)}"><h2>${esc(model.run.label)}</h2>${rows ? `<table class="verdicts">${rows}</table>` : ""}${items.length ? `<ul class="violations">${items.join("")}</ul>` : ""}</div>`;
}

/**
 * One self-contained HTML page for one or more runs: a lane per worker (lock tenures, task runs,
 * aborts, effects, faults shaded by type), session lifetimes with TTL and 2×TTL marks, a lane per
 * task key (holder, lock-delay, deletions), the unsafe windows and violations with their
 * explanations, hover details (SVG <title>) and zoom (a small inline script). No external asset:
 * the page's Content-Security-Policy forbids every fetch, so it opens offline and leaks nothing.
 */
export function renderHtmlReport(options: HtmlReportOptions): string {
  const models = options.runs.map(buildRunModel);
  const chart = timelineSvg(models, options.plotWidthPx === undefined ? {} : { plotWidthPx: options.plotWidthPx });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>locksim · ${esc(options.title)}</title>
<style>${reportCss}</style>
</head>
<body>
<header><h1>locksim · ${esc(options.title)}</h1>${options.subtitle ? `<p class="why">${esc(options.subtitle)}</p>` : ""}</header>
<section class="runs">${models.map(summaryHtml).join("")}</section>
<section class="legend">${legendHtml(models.reduce<string[]>((all, m) => (m.workers.length > all.length ? m.workers : all), []))}</section>
<div class="controls"><button type="button" data-zoom="in">zoom in</button><button type="button" data-zoom="out">zoom out</button><button type="button" data-zoom="reset">fit</button><span>Ctrl+wheel zooms around the pointer · hover any bar or mark for details</span></div>
<div class="chart">${chart.labels}<div class="plot-scroll">${chart.plot}</div></div>
<script>${zoomScript(tickStepsMs)}</script>
</body>
</html>
`;
}
