import { formatAtSeconds, formatSeconds, shortSession } from "./report-time.js";
import type { RunModel } from "./report-model.js";
import { spanEndMs } from "./fault-spans.js";
import { esc, shapes, tag, timePoint, timeRect, xOf, type TimeScale } from "./svg-kit.js";

/** Lane heights (px). */
export const laneHeightPx = { worker: 50, session: 22, key: 30, consul: 22 };

/** The color class of a worker (wc-0 … wc-7, set in the page's CSS). */
export function workerColor(model: RunModel, worker: string | undefined): string {
  const i = worker === undefined ? -1 : model.workers.indexOf(worker);
  return i < 0 ? "wc-none" : `wc-${i % 8}`;
}

const span = (startMs: number, endMs: number): string => `${formatAtSeconds(startMs)} → ${formatAtSeconds(endMs)} (${formatSeconds(endMs - startMs)})`;

/** Shading of the faults that hit a worker (pause, partition, crash, …), the full height of its lane. */
function faultShading(model: RunModel, worker: string, y: number, scale: TimeScale): string[] {
  const out = model.faults
    .filter((f) => f.target === worker)
    .flatMap((f) => [
      timeRect(scale, { t0: f.startMs, t1: spanEndMs(f, model.endMs), y, h: laneHeightPx.worker, cls: `fault fault-${f.type}`, hover: `FAULT ${f.fault}: ${span(f.startMs, spanEndMs(f, model.endMs))}${f.endMs === undefined ? ", not undone before the run ended" : ""}`, attrs: { "data-fault": f.type } }),
      tag("text", { class: "fault-label", "data-t": f.startMs, "data-dx": 3, x: xOf(scale, f.startMs) + 3, y: y + laneHeightPx.worker - 4 }, esc(f.endMs === undefined ? f.type : `${f.type} ${formatSeconds(f.endMs - f.startMs)}`)),
    ]);
  for (const s of model.skipped.filter((k) => k.target === worker)) {
    out.push(timePoint(scale, { t: s.atMs, y: y + 4, cls: `fault-skipped fault-${s.type}`, shape: shapes.triangleDown(4), hover: `fault not played (${s.why}): ${s.fault}` }));
  }
  return out;
}

/** Lock tenures (as the worker believed) and task executions, with aborts. */
function tenuresAndRuns(model: RunModel, worker: string, y: number, scale: TimeScale): string[] {
  const color = workerColor(model, worker);
  const out: string[] = [];
  for (const t of model.tenures.filter((x) => x.worker === worker)) {
    const hover = `${worker} holds the lock on ${t.task} (session ${shortSession(t.session)}${t.token !== undefined ? `, token ${t.token}` : ""}) as it believes: ${span(t.startMs, t.endMs)}; ended: ${t.endedBy}${t.lostReason ? ` (${t.lostReason})` : ""}`;
    out.push(timeRect(scale, { t0: t.startMs, t1: t.endMs, y: y + 5, h: 7, cls: `tenure ${color}`, hover, attrs: { "data-task": t.task } }));
  }
  for (const r of model.executions.filter((x) => x.worker === worker)) {
    const flagged = model.flagged.has(r.startIndex) ? " flagged" : "";
    const hover = `${worker} runs ${r.task}${r.token !== undefined ? ` with token ${r.token}` : ""}: ${span(r.startMs, r.endMs)}; ${r.endedBy === "end" ? "finished" : r.endedBy === "abort" ? `aborted: ${r.abortReason ?? ""}` : r.endedBy === "crash" ? "crashed" : "still running when the run ended"}`;
    out.push(timeRect(scale, { t0: r.startMs, t1: r.endMs, y: y + 15, h: 16, cls: `execution ${color} ended-${r.endedBy}${flagged}`, hover, attrs: { "data-task": r.task } }));
    out.push(tag("text", { class: "exec-label", "data-t": r.startMs, "data-dx": 3, x: xOf(scale, r.startMs) + 3, y: y + 27 }, esc(r.task)));
    if (r.endedBy === "abort") out.push(timePoint(scale, { t: r.endMs, y: y + 23, cls: "abort", shape: shapes.cross(5), hover: `${worker} aborts ${r.task}: ${r.abortReason ?? ""}` }));
  }
  return out;
}

/** Crashes, restarts, noticed lock losses, failures, and effects on the resource. */
function marks(model: RunModel, worker: string, y: number, scale: TimeScale): string[] {
  const out: string[] = [];
  const shapeOf = { crash: shapes.bolt(7), restart: shapes.triangleRight(5), "lock-lost": shapes.triangleDown(5), failed: shapes.cross(6) };
  for (const p of model.points.filter((x) => x.worker === worker)) {
    out.push(timePoint(scale, { t: p.atMs, y: p.kind === "lock-lost" ? y + 9 : y + 23, cls: `point point-${p.kind}`, shape: shapeOf[p.kind], hover: `${formatAtSeconds(p.atMs)} ${worker} ${p.text}` }));
  }
  for (const e of model.effects.filter((x) => x.worker === worker)) {
    const state = e.accepted ? "accepted" : "refused";
    const token = e.token === null ? "no token" : `token ${e.token}`;
    const hover = e.accepted ? `EFFECT at ${formatAtSeconds(e.atMs)}: ${e.task} committed by ${worker} (${token}), accepted` : `${formatAtSeconds(e.atMs)}: the resource refuses ${worker}'s commit of ${e.task} (${token}): ${e.reason ?? "refused"}`;
    const shape = `${shapes.diamond(6)}${e.accepted ? "" : shapes.cross(3)}${tag("text", { x: 8, y: 4, class: "effect-label" }, esc(e.token === null ? e.task : `${e.task} #${e.token}`))}`;
    out.push(timePoint(scale, { t: e.atMs, y: y + 41, cls: `effect ${state}${model.flagged.has(e.index) ? " flagged" : ""}`, shape, hover, attrs: { "data-task": e.task, "data-token": e.token === null ? "none" : e.token } }));
  }
  return out;
}

/** Where a lane is drawn: the shared scale, the whole time axis (ms), and which run it belongs to. */
export interface LaneContext {
  scale: TimeScale;
  domainMs: number;
  runIndex: number;
}

/** A lane's group, with its background across the whole time axis. */
export function laneGroup(ctx: LaneContext, o: { lane: string; cls: string; y: number; h: number }, inner: string[]): string {
  const bg = timeRect(ctx.scale, { t0: 0, t1: ctx.domainMs, y: o.y, h: o.h, cls: "lane-bg" });
  return tag("g", { class: `lane ${o.cls}`, "data-lane": o.lane, "data-run": ctx.runIndex }, [bg, ...inner].join(""));
}

/** One worker's lane: fault shading, tenures, executions, marks and effects. */
export function workerLane(model: RunModel, worker: string, y: number, ctx: LaneContext): string {
  const { scale } = ctx;
  return laneGroup(ctx, { lane: `worker:${worker}`, cls: "lane-worker", y, h: laneHeightPx.worker }, [...faultShading(model, worker, y, scale), ...tenuresAndRuns(model, worker, y, scale), ...marks(model, worker, y, scale)]);
}
