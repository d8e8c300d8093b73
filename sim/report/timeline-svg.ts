import type { RunModel } from "./report-model.js";
import { formatSeconds } from "./report-time.js";
import { esc, tag, tickLabel, tickStepMs, timePoint, timeRect, title, xOf, type TimeScale } from "./svg-kit.js";
import { consulLane, keyLanes, sessionLanes } from "./other-lanes-svg.js";
import { laneHeightPx, workerLane, type LaneContext } from "./worker-lanes-svg.js";

/** Layout constants (px). */
export const layoutPx = { labelWidth: 190, plotWidth: 1100, padLeft: 12, padRight: 40, axis: 30, runHeader: 26, runGap: 14 };

/** The two SVGs of the chart: lane labels (fixed) and the plot (scrolls and zooms), with equal heights. */
export interface TimelineSvg {
  labels: string;
  plot: string;
  heightPx: number;
  /** The time axis (ms) every run shares. */
  domainMs: number;
}

interface Label {
  lane: string;
  text: string;
  sub?: string | undefined;
  y: number;
  h: number;
  cls?: string;
}

/** The x axis: ticks in seconds at the top and bottom, with grid lines. The zoom script redraws it the same way. */
function axis(scale: TimeScale, domainMs: number, heightPx: number): string {
  const step = tickStepMs(scale.pxPerMs);
  const ticks: string[] = [];
  for (let t = 0; t <= domainMs; t += step) {
    const inner = [tag("line", { class: "grid", x1: 0, x2: 0, y1: layoutPx.axis, y2: heightPx - layoutPx.axis }), tag("text", { class: "tick-label", x: 0, y: 20 }, tickLabel(t)), tag("text", { class: "tick-label", x: 0, y: heightPx - 10 }, tickLabel(t))].join("");
    ticks.push(tag("g", { class: "tick", "data-t": t, "data-y": 0, transform: `translate(${xOf(scale, t)},0)` }, inner));
  }
  return tag("g", { class: "axis", "data-height": heightPx }, ticks.join(""));
}

/** Unsafe windows (hatched across the two holders' lanes) and violated checks (a red line with its detail). */
function overlays(model: RunModel, ctx: LaneContext, o: { headerY: number; bottomY: number; laneY: Map<string, number> }): string[] {
  const out: string[] = [];
  for (const w of model.windows) {
    const ys = w.holders.map((h) => o.laneY.get(h.worker) ?? o.headerY);
    const top = Math.min(...ys);
    const bottom = Math.max(...ys) + laneHeightPx.worker;
    out.push(timeRect(ctx.scale, { t0: w.startMs, t1: w.endMs, y: top, h: bottom - top, cls: "unsafe-window", attrs: { "data-task": w.task, "data-overlap-ms": w.overlapMs } }));
    const chip = `${tag("text", { x: 4, y: 0, class: "unsafe-label-text" }, esc(`overlap ${formatSeconds(w.overlapMs)} (${w.holders[0].worker} ∥ ${w.holders[1].worker}, ${w.task})`))}`;
    out.push(timePoint(ctx.scale, { t: w.startMs, y: o.headerY + 18, cls: "unsafe-label", shape: chip, hover: w.explanation }));
  }
  for (const v of model.violations) {
    if (v.atMs === undefined) continue;
    const line = tag("line", { x1: 0, x2: 0, y1: 0, y2: o.bottomY - o.headerY });
    const flag = tag("text", { x: -3, y: 9, class: "violation-flag", "text-anchor": "end" }, "!");
    out.push(timePoint(ctx.scale, { t: v.atMs, y: o.headerY, cls: "violation-mark", shape: `${line}${flag}`, hover: `${v.check} VIOLATED: ${v.detail}`, attrs: { "data-check": v.check } }));
  }
  return out;
}

/** One run's lanes from y0: workers, sessions, keys, Consul; returns the SVG, labels and height. */
function runBlock(model: RunModel, y0: number, ctx: LaneContext): { svg: string[]; labels: Label[]; heightPx: number } {
  const labels: Label[] = [{ lane: `run:${ctx.runIndex}`, text: model.run.label, sub: model.run.note, y: y0, h: layoutPx.runHeader, cls: "run-label" }];
  const svg: string[] = [tag("line", { class: "run-separator", x1: 0, x2: "100%", y1: y0 + 0.5, y2: y0 + 0.5 })];
  let y = y0 + layoutPx.runHeader;
  const laneY = new Map<string, number>();
  for (const w of model.workers) {
    laneY.set(w, y);
    svg.push(workerLane(model, w, y, ctx));
    labels.push({ lane: `worker:${w}`, text: `worker ${w}`, sub: "lock · task · effects", y, h: laneHeightPx.worker });
    y += laneHeightPx.worker;
  }
  const sessions = sessionLanes(model, y, ctx);
  svg.push(...sessions.svg);
  labels.push(...sessions.labels.map((l) => ({ ...l, h: laneHeightPx.session, cls: "small" })));
  y += sessions.heightPx;
  const keys = keyLanes(model, y, ctx);
  svg.push(...keys.svg);
  labels.push(...keys.labels.map((l) => ({ ...l, h: laneHeightPx.key })));
  y += keys.heightPx;
  const consul = consulLane(model, y, ctx);
  svg.push(...consul.svg);
  if (consul.heightPx > 0) labels.push({ lane: "consul", text: "Consul cluster", y, h: consul.heightPx, cls: "small" });
  y += consul.heightPx;
  svg.push(...overlays(model, ctx, { headerY: y0, bottomY: y, laneY }));
  return { svg, labels, heightPx: y - y0 + layoutPx.runGap };
}

function labelSvg(labels: Label[], heightPx: number): string {
  const rows = labels.map((l) => {
    const main = tag("text", { x: 8, y: l.y + (l.sub ? l.h / 2 - 1 : l.h / 2 + 4), class: `lane-label ${l.cls ?? ""}`.trim() }, esc(l.text));
    const sub = l.sub ? tag("text", { x: 8, y: l.y + l.h / 2 + 11, class: "lane-sub" }, esc(l.sub)) : "";
    return tag("g", { "data-label": l.lane }, `${main}${sub}${title(l.sub ? `${l.text}: ${l.sub}` : l.text)}`);
  });
  rows.push(tag("text", { x: 8, y: 20, class: "axis-title" }, "time (s)"), tag("text", { x: 8, y: heightPx - 10, class: "axis-title" }, "time (s)"));
  return tag("svg", { class: "labels", width: layoutPx.labelWidth, height: heightPx, viewBox: `0 0 ${layoutPx.labelWidth} ${heightPx}`, role: "img", "aria-label": "lane labels" }, rows.join(""));
}

/** SVG patterns the plot uses (hatching for lock-delay and unsafe windows), inline: no external asset. */
const defs = tag(
  "defs",
  {},
  [
    tag("pattern", { id: "hatch-lock-delay", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" }, tag("rect", { width: 3, height: 6, class: "hatch-lock-delay" })),
    tag("pattern", { id: "hatch-unsafe", width: 8, height: 8, patternUnits: "userSpaceOnUse", patternTransform: "rotate(-45)" }, tag("rect", { width: 3, height: 8, class: "hatch-unsafe" })),
  ].join(""),
);

/** How far a run's drawing reaches (ms): its last record, fault undos and lock-delay windows. */
function extentMs(m: RunModel): number {
  return Math.max(m.endMs, ...m.faults.map((f) => f.endMs ?? 0), ...m.keys.flatMap((k) => k.lockDelays.map((d) => d.endMs)));
}

/**
 * The chart for one or more runs stacked on one time axis (a scenario's runs per worker kind, or
 * the simulator's run above the real one). Pure: the same models give the same text.
 */
export function timelineSvg(models: readonly RunModel[], options: { plotWidthPx?: number } = {}): TimelineSvg {
  const plotWidthPx = options.plotWidthPx ?? layoutPx.plotWidth;
  const domainMs = Math.max(1_000, ...models.map(extentMs));
  const scale: TimeScale = { pxPerMs: plotWidthPx / domainMs, padLeftPx: layoutPx.padLeft };
  const labels: Label[] = [];
  const body: string[] = [];
  let y = layoutPx.axis;
  models.forEach((model, runIndex) => {
    const block = runBlock(model, y, { scale, domainMs, runIndex });
    body.push(tag("g", { class: "run", "data-run": runIndex }, block.svg.join("")));
    labels.push(...block.labels);
    y += block.heightPx;
  });
  const heightPx = y + layoutPx.axis;
  const widthPx = layoutPx.padLeft + plotWidthPx + layoutPx.padRight;
  const plot = tag(
    "svg",
    { class: "plot", width: widthPx, height: heightPx, role: "img", "aria-label": "timeline", "data-px-per-ms": scale.pxPerMs, "data-pad-left": layoutPx.padLeft, "data-pad-right": layoutPx.padRight, "data-domain-ms": domainMs },
    `${defs}${axis(scale, domainMs, heightPx)}${body.join("")}`,
  );
  return { labels: labelSvg(labels, heightPx), plot, heightPx, domainMs };
}
