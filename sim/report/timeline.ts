import type { TraceRecord } from "../trace.js";
import type { ScenarioRun } from "../scenario/run-scenario.js";
import { checkNames } from "../scenario/scenario-schema.js";

const short = (v: unknown): string => String(v ?? "").slice(0, 8);

/** One record as a sentence, or undefined when the timeline leaves it out. */
function sentence(r: TraceRecord): string | undefined {
  const d = r.data ?? {};
  switch (r.kind) {
    case "fault":
      return `FAULT: ${String(d.fault)}`;
    case "fault.end":
      return `fault over: ${String(d.fault)}`;
    case "fault.skipped":
      return `fault skipped (${String(d.why)}): ${String(d.fault)}`;
    case "host.start":
      return Number(d.incarnation) > 0 ? `restarts (incarnation ${String(d.incarnation)})` : undefined;
    case "host.crash":
      return "crashed";
    case "host.pause":
      return "paused (stop-the-world)";
    case "host.resume":
      return `resumed (${String(d.held)} held event(s) fire now)`;
    case "host.exit":
      return "exits: nothing left to do";
    case "host.failed":
      return `worker failed: ${String(d.error)}`;
    case "host.clock-rate":
      return `local clock now runs at ${String(d.rate)}x`;
    case "lock.acquired":
      return `holds the lock on ${String(d.task)} (session ${short(d.session)}${d.token !== undefined ? `, token ${String(d.token)}` : ""})`;
    case "lock.lost":
      return `notices it lost the lock on ${String(d.task)}: ${String(d.reason)}`;
    case "api-lock.monitor.end":
      return d.error ? `lock monitor of ${String(d.task)} ends: ${String(d.error)}` : undefined;
    case "api-lock.renew.end":
      return d.error ? `RenewPeriodic of ${String(d.task)} gives up: ${String(d.error)}` : undefined;
    case "task.start":
      return `starts ${String(d.task)}`;
    case "task.end":
      return `finishes ${String(d.task)}`;
    case "task.abort":
      return `aborts ${String(d.task)}: ${String(d.reason)}`;
    case "task.no-commit":
      return `does not commit ${String(d.task)}: ${String(d.reason)}`;
    case "store.commit":
      return d.accepted
        ? `EFFECT: ${String(d.task)} committed by ${String(d.worker)}${d.token !== null ? ` with token ${String(d.token)}` : ""}`
        : `store rejects ${String(d.worker)}'s commit of ${String(d.task)} (${String(d.reason)}, token ${String(d.token)})`;
    case "consul.session.expire":
      return `Consul expires session ${short(d.session)} (TTL×2 without renew)`;
    case "consul.session.invalidate":
      return `Consul invalidates session ${short(d.session)} (check ${String(d.check)})`;
    case "consul.leader.lost":
      return d.killed !== undefined ? `Consul leader ${String(d.killed)} killed (SIGKILL)` : `Consul loses its leader for ${String(d.unavailableMs)}ms`;
    case "consul.leader.elected":
      return d.leader !== undefined ? `Consul has a new leader: ${String(d.leader)}` : `Consul has a new leader; TTL timers of ${String(d.sessions)} session(s) re-armed`;
    case "consul.invariant":
      return `MODEL INVARIANT BROKEN: ${String(d.violation)}`;
    case "net.partition":
      return `cut off from Consul (${String(d.mode)})`;
    case "net.heal":
      return "reaches Consul again";
    default:
      return undefined;
  }
}

/** The readable story of a run: who held which lock when, faults, effects; violations marked "!!". */
export function formatTimeline(run: Pick<ScenarioRun, "results"> & { fleet: { world: { trace: { records: TraceRecord[] } } } }): string {
  return formatRecords(run.fleet.world.trace.records, run.results);
}

/** The same story from any list of trace-format records (a simulator trace or a real run's log). */
export function formatRecords(records: readonly TraceRecord[], results: ScenarioRun["results"]): string {
  const flagged = new Set<number>();
  for (const c of checkNames) for (const i of results[c].recordIndexes ?? []) if (results[c].verdict === "violated") flagged.add(i);
  const lines: string[] = [];
  records.forEach((r, i) => {
    const text = sentence(r);
    if (text === undefined) return;
    const mark = flagged.has(i) ? "!!" : "  ";
    lines.push(`${mark} ${(r.atMs / 1000).toFixed(3).padStart(9)}s  ${r.host.padEnd(7)} ${text}`);
  });
  return lines.join("\n");
}

/** The verdict table, with each expectation marked met or not. */
export function formatVerdicts(run: ScenarioRun, expected?: Partial<Record<string, string>>): string {
  return checkNames
    .map((c) => {
      const r = run.results[c];
      const exp = expected?.[c];
      const mark = exp === undefined ? "" : exp === r.verdict ? `  (expected ${exp}: ok)` : `  (expected ${exp}: MISMATCH)`;
      return `  ${c.padEnd(19)} ${r.verdict === "holds" ? "holds   " : "VIOLATED"}  ${r.detail}${mark}`;
    })
    .join("\n");
}
