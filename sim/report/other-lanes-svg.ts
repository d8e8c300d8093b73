import { spanEndMs } from "./fault-spans.js";
import type { RunModel } from "./report-model.js";
import { formatAtSeconds, formatSeconds, shortSession } from "./report-time.js";
import type { SessionLife } from "./session-lifetimes.js";
import { esc, shapes, tag, timePoint, timeRect, xOf } from "./svg-kit.js";
import { laneGroup, laneHeightPx, workerColor, type LaneContext } from "./worker-lanes-svg.js";

/** Where a session's bar ends: its end in Consul, else the end of the worker's tenure with it, else the run's end. */
function sessionEndMs(model: RunModel, s: SessionLife): number {
  if (s.endMs !== undefined) return s.endMs;
  const tenure = model.tenures.filter((t) => t.session === s.session).pop();
  return tenure?.endMs ?? model.endMs;
}

const endText: Record<SessionLife["end"], string> = { destroy: "destroyed", expire: "EXPIRED by Consul", invalidate: "invalidated", open: "alive when the run ended" };

/**
 * One session: its life, and where its TTL and 2×TTL fell after the last renewal seen. Consul
 * guarantees a session at least its TTL and, in 1.8.7, expires it at 2×TTL without a renewal
 * (consul-semantics.md): the marks show how close a silent holder came.
 */
function sessionMarks(model: RunModel, s: SessionLife, y: number, ctx: LaneContext): string[] {
  const { scale } = ctx;
  const endMs = sessionEndMs(model, s);
  const owner = s.owner ?? "unknown worker";
  const settings = s.ttlMs !== undefined ? `TTL ${formatSeconds(s.ttlMs)}, lock-delay ${formatSeconds(s.lockDelayMs ?? 0)}, behavior ${s.behavior ?? "?"}` : "seen only through the worker (a real agent's sessions are not observable)";
  const last = s.anchorsMs[s.anchorsMs.length - 1] ?? s.startMs;
  const hover = `session ${shortSession(s.session)} of ${owner} (${settings}): ${formatAtSeconds(s.startMs)} → ${formatAtSeconds(endMs)}, ${endText[s.end]}${s.source === "consul" ? `; last renewal seen at ${formatAtSeconds(last)}` : ""}`;
  const out = [timeRect(scale, { t0: s.startMs, t1: endMs, y: y + 6, h: 10, cls: `session session-${s.end} ${workerColor(model, s.owner)}`, hover, attrs: { "data-session": s.session } })];
  if (s.end === "expire") out.push(timePoint(scale, { t: endMs, y: y + 11, cls: "session-expired", shape: shapes.cross(4), hover: `Consul expires session ${shortSession(s.session)} at ${formatAtSeconds(endMs)}` }));
  const held = model.tenures.some((t) => t.session === s.session);
  if (s.ttlMs === undefined || s.source !== "consul" || (!held && endMs - last < s.ttlMs)) return out;
  // A destroyed session has no expiry to come: its marks are drawn only up to its end.
  const upToMs = s.end === "destroy" || s.end === "invalidate" ? endMs : ctx.domainMs;
  if (last + s.ttlMs <= upToMs) out.push(timePoint(scale, { t: last + s.ttlMs, y: y + 2, cls: "ttl-mark", shape: shapes.tick(18), hover: `TTL (${formatSeconds(s.ttlMs)}) after the last renewal at ${formatAtSeconds(last)}: Consul may expire the session from here` }));
  if (last + 2 * s.ttlMs <= upToMs) out.push(timePoint(scale, { t: last + 2 * s.ttlMs, y: y + 2, cls: "ttl2-mark", shape: shapes.tick(18), hover: `2×TTL (${formatSeconds(2 * s.ttlMs)}) after the last renewal at ${formatAtSeconds(last)}: Consul 1.8.7 expires it here if no renewal arrives` }));
  return out;
}

/** Session lanes: one per worker that owned sessions, and one for sessions the trace cannot attribute. */
export function sessionLanes(model: RunModel, y0: number, ctx: LaneContext): { svg: string[]; labels: { lane: string; text: string; y: number }[]; heightPx: number } {
  const owners = [...model.workers.filter((w) => model.sessions.some((s) => s.owner === w)), ...(model.sessions.some((s) => s.owner === undefined) ? [undefined] : [])];
  const svg: string[] = [];
  const labels: { lane: string; text: string; y: number }[] = [];
  owners.forEach((owner, i) => {
    const y = y0 + i * laneHeightPx.session;
    const lane = `sessions:${owner ?? "unattributed"}`;
    svg.push(laneGroup(ctx, { lane, cls: "lane-session", y, h: laneHeightPx.session }, model.sessions.filter((s) => s.owner === owner).flatMap((s) => sessionMarks(model, s, y, ctx))));
    labels.push({ lane, text: owner ? `sessions ${owner}` : "sessions (unattributed)", y });
  });
  return { svg, labels, heightPx: owners.length * laneHeightPx.session };
}

/** Key lanes: who held each task's key (Consul's view), lock-delay windows, refused acquires, deletions. */
export function keyLanes(model: RunModel, y0: number, ctx: LaneContext): { svg: string[]; labels: { lane: string; text: string; sub?: string; y: number }[]; heightPx: number } {
  const { scale } = ctx;
  const svg: string[] = [];
  const labels: { lane: string; text: string; sub?: string; y: number }[] = [];
  const h = laneHeightPx.key;
  const consulKeys = model.keys;
  // A real replay has no Consul records: the key lane shows the holders as the workers believed.
  const lanes = consulKeys.length > 0 ? consulKeys.map((k) => ({ id: k.task ?? k.key, sub: k.key, story: k })) : [...new Set(model.tenures.map((t) => t.task))].map((task) => ({ id: task, sub: "as the workers saw it", story: undefined }));
  lanes.forEach((l, i) => {
    const y = y0 + i * h;
    const inner: string[] = [];
    if (l.story) {
      for (const d of l.story.lockDelays) inner.push(timeRect(scale, { t0: d.startMs, t1: d.endMs, y: y + 3, h: h - 6, cls: "lock-delay", hover: `lock-delay on ${d.key} after session ${shortSession(d.session)} was invalidated: no acquire succeeds until ${formatAtSeconds(d.endMs)} (${formatSeconds(d.endMs - d.startMs)})` }));
      for (const hold of l.story.holds) {
        inner.push(timeRect(scale, { t0: hold.startMs, t1: hold.endMs, y: y + 8, h: 14, cls: `hold ${workerColor(model, hold.owner)}`, hover: `${hold.key} held by session ${shortSession(hold.session)} (${hold.owner ?? "unknown worker"}): ${formatAtSeconds(hold.startMs)} → ${formatAtSeconds(hold.endMs)}; ended: ${hold.endedBy}`, attrs: { "data-holder": hold.owner ?? "unknown" } }));
        inner.push(tag("text", { class: "hold-label", "data-t": hold.startMs, "data-dx": 3, x: xOf(scale, hold.startMs) + 3, y: y + 19 }, esc(hold.owner ?? shortSession(hold.session))));
      }
      for (const r of l.story.refusals) inner.push(timePoint(scale, { t: r.atMs, y: y + 26, cls: "lock-delay-refusal", shape: shapes.triangleDown(3), hover: `${formatAtSeconds(r.atMs)}: acquire by ${r.owner ?? `session ${shortSession(r.session)}`} refused: lock-delay in force` }));
      for (const t of l.story.deletionsMs) inner.push(timePoint(scale, { t, y: y + 15, cls: "key-deleted", shape: shapes.cross(5), hover: `${formatAtSeconds(t)}: ${l.story.key} deleted (its session was invalidated, behavior delete)` }));
    } else {
      for (const t of model.tenures.filter((x) => x.task === l.id)) {
        inner.push(timeRect(scale, { t0: t.startMs, t1: t.endMs, y: y + 8, h: 14, cls: `hold believed ${workerColor(model, t.worker)}`, hover: `${t.worker} believes it holds ${t.task} (session ${shortSession(t.session)}): ${formatAtSeconds(t.startMs)} → ${formatAtSeconds(t.endMs)}`, attrs: { "data-holder": t.worker } }));
        inner.push(tag("text", { class: "hold-label", "data-t": t.startMs, "data-dx": 3, x: xOf(scale, t.startMs) + 3, y: y + 19 }, esc(t.worker)));
      }
    }
    const lane = `key:${l.id}`;
    svg.push(laneGroup(ctx, { lane, cls: "lane-key", y, h }, inner));
    labels.push({ lane, text: `key ${l.id}`, sub: l.sub, y });
  });
  return { svg, labels, heightPx: lanes.length * h };
}

/** The Consul lane: cluster faults (leader failover) and leader changes; empty when there were none. */
export function consulLane(model: RunModel, y: number, ctx: LaneContext): { svg: string[]; heightPx: number } {
  const faults = model.faults.filter((f) => f.target === "consul");
  if (faults.length === 0 && model.leader.length === 0) return { svg: [], heightPx: 0 };
  const h = laneHeightPx.consul;
  const inner = faults.map((f) => {
    const elected = model.leader.find((l) => l.atMs >= f.startMs && l.text.startsWith("new leader"));
    const endMs = f.endMs ?? elected?.atMs ?? spanEndMs(f, model.endMs);
    return timeRect(ctx.scale, { t0: f.startMs, t1: endMs, y, h, cls: `fault fault-${f.type}`, hover: `FAULT ${f.fault}: ${formatAtSeconds(f.startMs)} → ${formatAtSeconds(endMs)}`, attrs: { "data-fault": f.type } });
  });
  for (const l of model.leader) inner.push(timePoint(ctx.scale, { t: l.atMs, y: y + 11, cls: "leader-change", shape: shapes.diamond(4), hover: `${formatAtSeconds(l.atMs)}: ${l.text}` }));
  return { svg: [laneGroup(ctx, { lane: "consul", cls: "lane-consul", y, h }, inner)], heightPx: h };
}
