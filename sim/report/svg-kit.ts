/**
 * A few helpers that write SVG as text, with every time-positioned element carrying its time in
 * data attributes (data-t, or data-t0/data-t1, in ms) so that the page's zoom script can move it
 * without re-reading the trace. The same scale is applied here for the first paint.
 */

/** Escapes text for an HTML or SVG text node or a double-quoted attribute. */
export function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

type Attrs = Record<string, string | number | undefined>;

/** One element; attributes with an undefined value are left out. `inner` is written as is (already escaped). */
export function tag(name: string, attrs: Attrs, inner = ""): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${esc(String(v))}"`)
    .join("");
  return `<${name}${a}>${inner}</${name}>`;
}

/** A hover text: SVG shows a <title> child as a tooltip, with no script. */
export function title(text: string): string {
  return tag("title", {}, esc(text));
}

/** The horizontal scale of the plot at zoom 1: x = padLeftPx + t × pxPerMs. */
export interface TimeScale {
  pxPerMs: number;
  padLeftPx: number;
}

/** The x of a time (ms) at zoom 1. */
export function xOf(scale: TimeScale, ms: number): number {
  return round(scale.padLeftPx + ms * scale.pxPerMs);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** A bar from t0 to t1 (ms); at least `minWidthPx` wide so that instants stay visible. */
export function timeRect(scale: TimeScale, o: { t0: number; t1: number; y: number; h: number; cls: string; hover?: string; attrs?: Attrs; minWidthPx?: number }): string {
  const minW = o.minWidthPx ?? 2;
  const x = xOf(scale, o.t0);
  const w = Math.max(minW, round((o.t1 - o.t0) * scale.pxPerMs));
  return tag("rect", { class: o.cls, "data-t0": o.t0, "data-t1": o.t1, "data-minw": minW, x, y: o.y, width: w, height: o.h, ...o.attrs }, o.hover ? title(o.hover) : "");
}

/** A mark at time t (ms): a group translated to (x(t), y) holding `shape` drawn around (0, 0). */
export function timePoint(scale: TimeScale, o: { t: number; y: number; cls: string; shape: string; hover?: string; attrs?: Attrs }): string {
  return tag("g", { class: o.cls, "data-t": o.t, "data-y": o.y, transform: `translate(${xOf(scale, o.t)},${o.y})`, ...o.attrs }, `${o.shape}${o.hover ? title(o.hover) : ""}`);
}

/** Shapes for marks, centred on (0, 0). */
export const shapes = {
  diamond: (r: number): string => tag("path", { d: `M0,${-r}L${r},0L0,${r}L${-r},0Z` }),
  cross: (r: number): string => tag("path", { d: `M${-r},${-r}L${r},${r}M${-r},${r}L${r},${-r}` }),
  triangleDown: (r: number): string => tag("path", { d: `M${-r},${-r}L${r},${-r}L0,${r}Z` }),
  triangleRight: (r: number): string => tag("path", { d: `M${-r},${-r}L${r},0L${-r},${r}Z` }),
  bolt: (r: number): string => tag("path", { d: `M${r * 0.3},${-r}L${-r * 0.6},${r * 0.15}L0,${r * 0.15}L${-r * 0.3},${r}L${r * 0.6},${-r * 0.15}L0,${-r * 0.15}Z` }),
  tick: (h: number): string => tag("line", { x1: 0, x2: 0, y1: 0, y2: h }),
};

/** Candidate tick steps (ms): the axis uses the smallest that leaves `minGapPx` between labels. */
export const tickStepsMs = [100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 20_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000];

/** The axis tick step for a scale: the zoom script picks it the same way (report-assets.ts). */
export function tickStepMs(pxPerMs: number, minGapPx = 64): number {
  return tickStepsMs.find((s) => s * pxPerMs >= minGapPx) ?? tickStepsMs[tickStepsMs.length - 1]!;
}

/** An axis label in seconds: "0 s", "12.5 s". */
export function tickLabel(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
