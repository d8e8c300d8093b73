import type { TraceRecord } from "../trace.js";
import type { CheckResult } from "../checkers/check-types.js";
import { checkNames, type CheckName } from "../scenario/scenario-schema.js";
import { faultSpans, traceEndMs, type FaultSpan, type SkippedFault } from "./fault-spans.js";
import { keyStories, workerTenures, type KeyStory, type WorkerTenure } from "./lock-tenures.js";
import { sessionLifetimes, type SessionLife } from "./session-lifetimes.js";
import { taskRuns, type TaskRun } from "./task-runs.js";
import { unsafeWindows, type UnsafeWindow, type UnsafeWindowOptions } from "./unsafe-window.js";

/** One labelled run for the HTML report: a simulator trace or a real run's log, and its verdicts. */
export interface ReportRun {
  /** Shown above its lanes, e.g. "naive · simulator" or "naive · real Consul". */
  label: string;
  records: readonly TraceRecord[];
  results?: Record<CheckName, CheckResult> | undefined;
  /** The scenario's Consul settings: TTL and lock-delay when the trace has no session records (a real replay). */
  consul?: UnsafeWindowOptions["consul"];
  /** Worker ids to give lanes even if they left no record (w1…wN); default: every worker host in the trace. */
  workers?: readonly string[];
  /** A note under the label (where the run came from, what it could not observe). */
  note?: string;
}

/** An effect on the resource: store.commit. */
export interface EffectMark {
  task: string;
  worker: string;
  token: number | null;
  accepted: boolean;
  reason?: string;
  atMs: number;
  index: number;
}

/** A point event drawn on a worker's lane. */
export interface PointMark {
  worker: string;
  atMs: number;
  kind: "crash" | "restart" | "lock-lost" | "failed";
  text: string;
  index: number;
}

/** A violated check. */
export interface ViolationNote {
  check: CheckName;
  detail: string;
  atMs?: number;
  recordIndexes: number[];
}

/** Everything the report draws for one run, read from the trace. */
export interface RunModel {
  run: ReportRun;
  workers: string[];
  endMs: number;
  executions: TaskRun[];
  tenures: WorkerTenure[];
  faults: FaultSpan[];
  skipped: SkippedFault[];
  effects: EffectMark[];
  points: PointMark[];
  sessions: SessionLife[];
  keys: KeyStory[];
  /** Consul leader changes (simulator and real clusters). */
  leader: { atMs: number; text: string; index: number }[];
  windows: UnsafeWindow[];
  violations: ViolationNote[];
  /** Record indexes a violated check points at (drawn with a red outline). */
  flagged: Set<number>;
}

const infraHosts = new Set(["-", "consul", "store"]);

/** The worker ids of a trace, in numeric order (w2 before w10). */
function workersOf(records: readonly TraceRecord[], given: readonly string[] | undefined): string[] {
  const ids = new Set(given ?? []);
  for (const r of records) if (!infraHosts.has(r.host)) ids.add(r.host);
  return [...ids].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)) || a.localeCompare(b));
}

function pointOf(r: TraceRecord, index: number): PointMark | undefined {
  switch (r.kind) {
    case "host.crash":
      return { worker: r.host, atMs: r.atMs, kind: "crash", text: "crashed", index };
    case "host.start":
      return r.data.incarnation > 0 ? { worker: r.host, atMs: r.atMs, kind: "restart", text: `restarted (incarnation ${r.data.incarnation})`, index } : undefined;
    case "lock.lost":
      return { worker: r.host, atMs: r.atMs, kind: "lock-lost", text: `notices it lost the lock on ${r.data.task}: ${r.data.reason}`, index };
    case "host.failed":
      return { worker: r.host, atMs: r.atMs, kind: "failed", text: `worker failed: ${r.data.error}`, index };
    default:
      return undefined;
  }
}

/** Reads one run's trace into what the report draws. */
export function buildRunModel(run: ReportRun): RunModel {
  const { records } = run;
  const effects: EffectMark[] = [];
  const points: PointMark[] = [];
  const leader: RunModel["leader"] = [];
  records.forEach((r, index) => {
    if (r.kind === "store.commit") {
      const e: EffectMark = { task: r.data.task, worker: r.data.worker, token: r.data.token, accepted: r.data.accepted, atMs: r.atMs, index };
      if (r.data.reason !== undefined) e.reason = r.data.reason;
      effects.push(e);
    } else if (r.kind === "consul.leader.lost") {
      leader.push({ atMs: r.atMs, text: r.data.killed !== undefined ? `Consul leader ${r.data.killed} killed` : `Consul loses its leader for ${String(r.data.unavailableMs)}ms`, index });
    } else if (r.kind === "consul.leader.elected") {
      leader.push({ atMs: r.atMs, text: r.data.leader !== undefined ? `new leader ${r.data.leader}` : `new leader; ${String(r.data.sessions)} session timer(s) re-armed`, index });
    } else {
      const p = pointOf(r, index);
      if (p) points.push(p);
    }
  });
  const sessions = sessionLifetimes(records);
  const { spans, skipped } = faultSpans(records);
  const violations: ViolationNote[] = [];
  const flagged = new Set<number>();
  for (const c of checkNames) {
    const res = run.results?.[c];
    if (res?.verdict !== "violated") continue;
    const v: ViolationNote = { check: c, detail: res.detail, recordIndexes: res.recordIndexes ?? [] };
    if (res.atMs !== undefined) v.atMs = res.atMs;
    violations.push(v);
    for (const i of v.recordIndexes) flagged.add(i);
  }
  return {
    run,
    workers: workersOf(records, run.workers),
    endMs: traceEndMs(records),
    executions: taskRuns(records),
    tenures: workerTenures(records),
    faults: spans,
    skipped,
    effects,
    points,
    sessions,
    keys: keyStories(records, sessions),
    leader,
    windows: unsafeWindows(records, run.consul ? { consul: run.consul } : {}),
    violations,
    flagged,
  };
}
