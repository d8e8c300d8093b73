import type { TraceRecord } from "../trace.js";
import type { Scenario } from "../scenario/scenario-schema.js";
import { faultSpans, spanEndMs, traceEndMs, type FaultSpan } from "./fault-spans.js";
import { defaultLockDelayMs, formatAtSeconds, formatSeconds, lockDelayCapMs, shortSession } from "./report-time.js";
import { sessionLifetimes, type SessionEnd, type SessionLife } from "./session-lifetimes.js";
import { taskRuns, type TaskRun, type TaskRunEnd } from "./task-runs.js";

/** One of the two workers that ran a task at once. */
export interface UnsafeWindowHolder {
  worker: string;
  /** The session its lock.acquired named before it started, if any. */
  session?: string;
  startMs: number;
  endMs: number;
  endedBy: TaskRunEnd;
}

/** The fault that let the second holder in, as the trace shows it. */
export interface UnsafeWindowCause {
  type: string;
  target: string;
  fault: string;
  /** How long it lasted (ms); undefined for faults without a duration (a drift left on). */
  durationMs?: number;
}

/**
 * An unsafe window: two workers ran the same task at once (an exclusive-execution overlap),
 * measured and explained from the trace.
 */
export interface UnsafeWindow {
  task: string;
  /** The earlier holder (whose lease lapsed) first, then the one that started while it still ran. */
  holders: [UnsafeWindowHolder, UnsafeWindowHolder];
  /** Virtual ms (simulator) or ms since the run started (real replay). */
  startMs: number;
  endMs: number;
  overlapMs: number;
  cause?: UnsafeWindowCause;
  /** The earlier holder's session TTL and lock-delay (ms): from its consul.session.create, else the scenario's settings. */
  ttlMs?: number;
  lockDelayMs?: number;
  /** How and when the earlier holder's session ended in Consul (simulator only). */
  sessionEnd?: { end: Exclude<SessionEnd, "open">; atMs: number };
  /** One line, e.g. "w1 paused 45 s > 2×TTL (20 s) + lock-delay (15 s): … overlap 13.8 s". */
  explanation: string;
  /** The task.start records of both holders. */
  recordIndexes: [number, number];
}

/** Options of unsafeWindows. */
export interface UnsafeWindowOptions {
  /**
   * The scenario's Consul settings, used when the trace has no consul.session.create for the
   * holder's session (a real replay). lockDelayMs defaults to Consul's 15s.
   */
  consul?: { ttlMs: number; lockDelayMs?: number | undefined };
}

/** Which fault explains a lapsed lease best, most direct first. */
const causePriority = ["pause", "partition", "drop-renewals", "clock-drift", "slow-network", "leader-failover", "rate-limit", "leader-transfer"];

/**
 * Every exclusive-execution overlap of a trace: for each task, each pair of executions on two
 * workers that overlapped (by record order, as the exclusive-execution checker judges them), with
 * the overlap in ms and a one-line explanation. Empty when no task ran twice at once.
 */
export function unsafeWindows(records: readonly TraceRecord[], options: UnsafeWindowOptions = {}): UnsafeWindow[] {
  const runs = taskRuns(records);
  const context: ExplainContext = { records, sessions: new Map(sessionLifetimes(records).map((s) => [s.session, s])), spans: faultSpans(records).spans, endMs: traceEndMs(records), options };
  const windows: UnsafeWindow[] = [];
  runs.forEach((b, j) => {
    for (const a of runs.slice(0, j)) {
      if (a.task !== b.task || a.worker === b.worker) continue;
      // Overlap by record order: b started before a's end record, and a started before b's (always true here).
      if (a.endIndex !== undefined && a.endIndex < b.startIndex) continue;
      windows.push(measure(a, b, context));
    }
  });
  return windows;
}

/** The unsafe windows of a simulator run, with the scenario's Consul settings as the fallback. */
export function unsafeWindowsOf(run: { scenario: Scenario; fleet: { world: { trace: { records: readonly TraceRecord[] } } } }): UnsafeWindow[] {
  return unsafeWindows(run.fleet.world.trace.records, { consul: run.scenario.consul });
}

interface ExplainContext {
  records: readonly TraceRecord[];
  sessions: Map<string, SessionLife>;
  spans: FaultSpan[];
  endMs: number;
  options: UnsafeWindowOptions;
}

/** The session a worker held a task with: its last lock.acquired for that task before the execution started. */
function sessionOf(records: readonly TraceRecord[], run: TaskRun): string | undefined {
  for (let i = run.startIndex; i >= 0; i--) {
    const r = records[i]!;
    if (r.host === run.worker && r.kind === "lock.acquired" && r.data.task === run.task) return r.data.session;
  }
  return undefined;
}

function holder(run: TaskRun, session: string | undefined): UnsafeWindowHolder {
  const h: UnsafeWindowHolder = { worker: run.worker, startMs: run.startMs, endMs: run.endMs, endedBy: run.endedBy };
  if (session !== undefined) h.session = session;
  return h;
}

function measure(a: TaskRun, b: TaskRun, ctx: ExplainContext): UnsafeWindow {
  const sessionA = sessionOf(ctx.records, a);
  const startMs = b.startMs;
  const endMs = Math.max(startMs, Math.min(a.endMs, b.endMs));
  const window: UnsafeWindow = {
    task: a.task,
    holders: [holder(a, sessionA), holder(b, sessionOf(ctx.records, b))],
    startMs,
    endMs,
    overlapMs: endMs - startMs,
    explanation: "",
    recordIndexes: [a.startIndex, b.startIndex],
  };
  const life = sessionA === undefined ? undefined : ctx.sessions.get(sessionA);
  const ttlMs = life?.ttlMs ?? ctx.options.consul?.ttlMs;
  const lockDelayMs = life?.lockDelayMs ?? (ctx.options.consul ? Math.min(ctx.options.consul.lockDelayMs ?? defaultLockDelayMs, lockDelayCapMs) : undefined);
  if (ttlMs !== undefined) window.ttlMs = ttlMs;
  if (lockDelayMs !== undefined) window.lockDelayMs = lockDelayMs;
  if (life && life.end !== "open" && life.endMs !== undefined) window.sessionEnd = { end: life.end, atMs: life.endMs };
  const cause = causeOf(a, b, ctx);
  if (cause) window.cause = cause;
  window.explanation = explain(window, a, b);
  return window;
}

/** The fault on the earlier holder (or on Consul) that was in force between its start and the second start. */
function causeOf(a: TaskRun, b: TaskRun, ctx: ExplainContext): UnsafeWindowCause | undefined {
  const candidates = ctx.spans.filter((s) => (s.target === a.worker || s.target === "consul") && s.startMs <= b.startMs && spanEndMs(s, ctx.endMs) >= a.startMs && causePriority.includes(s.type));
  candidates.sort((x, y) => causePriority.indexOf(x.type) - causePriority.indexOf(y.type) || spanEndMs(y, ctx.endMs) - y.startMs - (spanEndMs(x, ctx.endMs) - x.startMs));
  const span = candidates[0];
  if (!span) return undefined;
  const cause: UnsafeWindowCause = { type: span.type, target: span.target, fault: span.fault };
  const durationMs = span.type === "leader-failover" || span.type === "leader-transfer" ? failoverMs(ctx.records, span) : span.endMs !== undefined ? span.endMs - span.startMs : scheduledMs(span.fault);
  if (durationMs !== undefined) cause.durationMs = durationMs;
  return cause;
}

/** A fault still in force when the trace ended lasts as long as scheduled: its note says "for 120000ms". */
function scheduledMs(fault: string): number | undefined {
  const m = /for (\d+)ms/.exec(fault);
  return m ? Number(m[1]) : undefined;
}

/** How long Consul had no leader after a failover fault: to the next election, as recorded. */
function failoverMs(records: readonly TraceRecord[], span: FaultSpan): number | undefined {
  for (let i = span.index; i < records.length; i++) {
    const r = records[i]!;
    if (r.kind === "consul.leader.elected") return r.atMs - span.startMs;
    if (r.kind === "consul.leader.lost" && r.data.unavailableMs !== undefined) return r.data.unavailableMs;
  }
  return undefined;
}

const sessionEndVerb: Record<Exclude<SessionEnd, "open">, string> = { expire: "expired", destroy: "was destroyed", invalidate: "was invalidated" };
const runEndVerb: Record<TaskRunEnd, string> = { end: "finished", abort: "aborted", crash: "crashed", open: "was still running at the end" };

/** The one-line explanation: cause vs 2×TTL + lock-delay, what Consul did, who started when, the overlap. */
function explain(w: UnsafeWindow, a: TaskRun, b: TaskRun): string {
  const parts: string[] = [];
  const head = causePhrase(w, a.worker);
  const session = w.sessionEnd && w.holders[0].session ? `session ${shortSession(w.holders[0].session)} ${sessionEndVerb[w.sessionEnd.end]} at ${formatAtSeconds(w.sessionEnd.atMs)}` : undefined;
  if (session) parts.push(session);
  const first = a.endMs <= b.endMs ? a : b;
  parts.push(`${b.worker} started ${w.task} at ${formatAtSeconds(b.startMs)} while ${a.worker} still ran it`);
  parts.push(`${first.worker} ${runEndVerb[first.endedBy]}${first.endedBy === "open" ? "" : ` at ${formatAtSeconds(first.endMs)}`}`);
  return `${head}: ${parts.join("; ")}: overlap ${formatSeconds(w.overlapMs)}`;
}

function causePhrase(w: UnsafeWindow, worker: string): string {
  const c = w.cause;
  const threshold = w.ttlMs === undefined ? undefined : `2×TTL (${formatSeconds(2 * w.ttlMs)})${w.lockDelayMs ? ` + lock-delay (${formatSeconds(w.lockDelayMs)})` : ""}`;
  const compare = (durationMs: number | undefined): string => {
    if (durationMs === undefined || threshold === undefined || w.ttlMs === undefined) return "";
    const limitMs = 2 * w.ttlMs + (w.lockDelayMs ?? 0);
    return durationMs > limitMs ? ` > ${threshold}` : ` ≤ ${threshold}`;
  };
  if (!c) return `no fault on ${worker}${threshold ? ` (2×TTL ${formatSeconds(2 * (w.ttlMs ?? 0))})` : ""}`;
  const d = c.durationMs === undefined ? "" : ` ${formatSeconds(c.durationMs)}`;
  switch (c.type) {
    case "pause":
      return `${worker} paused${d}${compare(c.durationMs)}`;
    case "partition":
      return `${worker} cut off from Consul${d}${compare(c.durationMs)}`;
    case "drop-renewals":
      return `${worker}'s renewals dropped for${d}${compare(c.durationMs)}`;
    case "slow-network":
      return `${worker}'s network slowed for${d}`;
    case "clock-drift":
      return `${worker}'s clock ran at ${/at ([\d.]+x)/.exec(c.fault)?.[1] ?? "a drifted rate"}${d ? ` for${d}` : ""}`;
    case "leader-failover":
      return `Consul had no leader for${d}`;
    case "rate-limit":
      return `Consul refused writes (rate limit) for${d}${compare(c.durationMs)}`;
    case "leader-transfer":
      return `Consul handed over leadership, no leader for${d}`;
    default:
      return `${c.fault}`;
  }
}

/** The distribution of overlaps over violating runs, for a sweep summary. */
export interface UnsafeWindowStats {
  /** Runs with at least one overlap. */
  count: number;
  /** Median and largest of each such run's largest overlap (ms); absent when count is 0. */
  medianMs?: number;
  maxMs?: number;
  /** Which run had the largest: its 1-based index in the sweep and its scenario. */
  maxRun?: number;
  maxScenario?: Scenario;
}

/** Count, median, max and the scenario of the max, from one sample per violating run. */
export function unsafeWindowStats(samples: readonly { overlapMs: number; run: number; scenario: Scenario }[]): UnsafeWindowStats {
  if (samples.length === 0) return { count: 0 };
  const sorted = [...samples].sort((x, y) => x.overlapMs - y.overlapMs);
  const mid = sorted.length >> 1;
  const medianMs = sorted.length % 2 === 1 ? sorted[mid]!.overlapMs : Math.round((sorted[mid - 1]!.overlapMs + sorted[mid]!.overlapMs) / 2);
  // The first run reaching the maximum, so the answer does not depend on sort stability.
  const maxMs = sorted[sorted.length - 1]!.overlapMs;
  const max = samples.find((s) => s.overlapMs === maxMs)!;
  return { count: samples.length, medianMs, maxMs, maxRun: max.run, maxScenario: max.scenario };
}

/** The largest overlap of a run (ms), or undefined when it had none. */
export function largestOverlapMs(windows: readonly UnsafeWindow[]): number | undefined {
  return windows.length === 0 ? undefined : Math.max(...windows.map((w) => w.overlapMs));
}

/**
 * The largest overlap of a simulator run whose exclusive execution was violated (ms); undefined
 * when it held (or had nothing to judge). What the sweep summary collects per run.
 */
export function largestOverlapOf(run: { scenario: Scenario; verdicts: { exclusiveExecution: string }; fleet: { world: { trace: { records: readonly TraceRecord[] } } } }): number | undefined {
  return run.verdicts.exclusiveExecution === "violated" ? largestOverlapMs(unsafeWindowsOf(run)) : undefined;
}
