import type { TraceRecord } from "../trace.js";
import type { ScenarioRun } from "../scenario/run-scenario.js";
import { checkNames, type Verdict } from "../scenario/scenario-schema.js";

const short = (v: string): string => v.slice(0, 8);

/** One record as a sentence, or undefined when the timeline leaves it out. */
function sentence(r: TraceRecord): string | undefined {
  switch (r.kind) {
    case "fault.applied":
      return `FAULT: ${r.data.fault}`;
    case "fault.undone":
      return `fault over: ${r.data.fault}`;
    case "fault.skipped":
      return `fault skipped (${r.data.why}): ${r.data.fault}`;
    case "run.bound":
      return `RUN STOPPED by bound ${r.data.bound}: ${r.data.message}`;
    case "host.start":
      return r.data.incarnation > 0 ? `restarts (incarnation ${r.data.incarnation})` : undefined;
    case "host.crash":
      return "crashed";
    case "host.pause":
      return "paused (stop-the-world)";
    case "host.resume":
      return `resumed (${r.data.held} held event(s) fire now)`;
    case "host.exit":
      return "exits: nothing left to do";
    case "host.failed":
      return `worker failed: ${r.data.error}`;
    case "host.clock-rate":
      return `local clock now runs at ${r.data.rate}x`;
    default:
      return lockSentence(r) ?? consulSentence(r);
  }
}

function lockSentence(r: TraceRecord): string | undefined {
  switch (r.kind) {
    case "lock.acquired":
      return `holds the lock on ${r.data.task} (session ${short(r.data.session)}${r.data.token !== undefined ? `, token ${r.data.token}` : ""})`;
    case "lock.lost":
      return `notices it lost the lock on ${r.data.task}: ${r.data.reason}`;
    case "lock.released":
      return `releases the lock on ${r.data.task}`;
    case "api-lock.monitor.end":
      return r.data.error ? `lock monitor of ${r.data.task} ends: ${r.data.error}` : undefined;
    case "api-lock.renew.end":
      return r.data.error ? `RenewPeriodic of ${r.data.task} gives up: ${r.data.error}` : undefined;
    case "task.start":
      return `starts ${r.data.task}`;
    case "task.end":
      return `finishes ${r.data.task}`;
    case "task.abort":
      return `aborts ${r.data.task}: ${r.data.reason}`;
    case "task.no-commit":
      return `does not commit ${r.data.task}: ${r.data.reason}`;
    case "store.commit":
      return r.data.accepted
        ? `EFFECT: ${r.data.task} committed by ${r.data.worker}${r.data.token !== null ? ` with token ${r.data.token}` : ""}`
        : `resource refuses ${r.data.worker}'s commit of ${r.data.task} (${r.data.reason ?? "refused"}, token ${String(r.data.token)})`;
    case "mark":
      return `mark ${r.data.name}`;
    default:
      return undefined;
  }
}

function consulSentence(r: TraceRecord): string | undefined {
  switch (r.kind) {
    case "consul.session.expire":
      return `Consul expires session ${short(r.data.session)} (TTL×2 without renew)`;
    case "consul.session.invalidate":
      return `Consul invalidates session ${short(r.data.session)} (check ${r.data.check})`;
    case "consul.leader.lost":
      return r.data.killed !== undefined ? `Consul leader ${r.data.killed} killed (SIGKILL)` : `Consul loses its leader for ${String(r.data.unavailableMs)}ms`;
    case "consul.leader.elected":
      return r.data.leader !== undefined ? `Consul has a new leader: ${r.data.leader}` : `Consul has a new leader; TTL timers of ${String(r.data.sessions)} session(s) re-armed`;
    case "consul.invariant":
      return `MODEL INVARIANT BROKEN: ${r.data.violation}`;
    case "net.partition":
      return `cut off from Consul (${r.data.mode}${r.data.kind === "reject" ? ", connections rejected" : ""})`;
    case "net.heal":
      return "reaches Consul again";
    case "host.client-deadline":
      return `Consul client deadline: ${r.data.deadline}`;
    case "net.retransmit":
      return `${r.data.op}: ${r.data.dir} delivered after the heal (TCP retransmission)`;
    case "net.gave-up":
      return `${r.data.op}: connection declared dead by keep-alive after ${Math.round(r.data.silentMs / 1_000)} s of silence`;
    case "net.reset":
      return `${r.data.op}: ${r.data.dir === "request" ? "connection refused" : "connection reset after Consul acted"}`;
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

/** A verdict as the reports print it. */
export function verdictLabel(v: Verdict): string {
  return v === "holds" ? "holds" : v === "violated" ? "VIOLATED" : "not applicable";
}

/** The verdict table, with each expectation marked met or not. */
export function formatVerdicts(run: ScenarioRun, expected?: Partial<Record<string, string>>): string {
  return checkNames
    .map((c) => {
      const r = run.results[c];
      const exp = expected?.[c];
      const mark = exp === undefined ? "" : exp === r.verdict ? `  (expected ${exp}: ok)` : `  (expected ${exp}: MISMATCH)`;
      return `  ${c.padEnd(19)} ${verdictLabel(r.verdict).padEnd(14)}  ${r.detail}${mark}`;
    })
    .join("\n");
}
