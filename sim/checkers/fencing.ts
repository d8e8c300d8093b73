import type { TraceRecord } from "../trace.js";
import { notApplicable, type CheckResult, type Checker } from "./check-types.js";

/** One lock tenure of a task's key: a holder that acquired the lock, and the token it presented. */
interface Tenure {
  worker: string;
  atMs: number;
  index: number;
  token: number | undefined;
}

/**
 * Finds the tenures of each task from the trace: every `lock.acquired` opens one (with its token,
 * if the worker logged it); a token presented at the resource (claim or commit) belongs to the
 * worker's latest tenure of that task, or opens one when the worker logs no acquisitions (a custom
 * worker), keyed by the token it presents. A crash closes the worker's tenures, but until its next
 * incarnation starts, a presentation that repeats a closed tenure's token is that tenure's message
 * still in flight (sent before the crash, applied after it: a txn or commit on the wire), not a new
 * tenure.
 */
function tenuresByTask(records: readonly TraceRecord[]): Map<string, Tenure[]> {
  const byTask = new Map<string, Tenure[]>();
  const latest = new Map<string, Tenure>(); // `${task}\0${worker}` → its current tenure
  const crashed = new Map<string, Tenure>(); // tenures closed by a crash, until the next incarnation starts
  const open = (task: string, t: Tenure): void => {
    let list = byTask.get(task);
    if (!list) byTask.set(task, (list = []));
    list.push(t);
    latest.set(`${task}\0${t.worker}`, t);
  };
  records.forEach((r, index) => {
    if (r.kind === "lock.acquired") {
      open(r.data.task, { worker: r.host, atMs: r.atMs, index, token: r.data.token });
      return;
    }
    if (r.kind === "host.crash") {
      for (const [k, t] of latest) {
        if (t.worker !== r.host) continue;
        latest.delete(k);
        crashed.set(k, t);
      }
      return;
    }
    if (r.kind === "host.start") {
      for (const [k, t] of crashed) if (t.worker === r.host) crashed.delete(k);
      return;
    }
    const presented = r.kind === "store.claim" || r.kind === "store.commit" ? r.data : undefined;
    if (!presented || typeof presented.token !== "number" || presented.worker === undefined) return;
    const current = latest.get(`${presented.task}\0${presented.worker}`);
    if (current && (current.token === undefined || current.token === presented.token)) {
      current.token ??= presented.token;
      return;
    }
    if (crashed.get(`${presented.task}\0${presented.worker}`)?.token === presented.token) return;
    open(presented.task, { worker: presented.worker, atMs: r.atMs, index, token: presented.token });
  });
  return byTask;
}

/** The token oracle: each new tenure's token is strictly greater than every earlier tenure's. */
function tokenOracle(records: readonly TraceRecord[]): { result?: CheckResult; tenures: number } {
  let tenures = 0;
  for (const [task, list] of tenuresByTask(records)) {
    let best: Tenure | undefined;
    for (const t of list) {
      if (t.token === undefined) continue;
      tenures++;
      if (best && t.token <= best.token!) {
        const how = t.token === best.token ? "repeats" : "is lower than";
        const result: CheckResult = {
          verdict: "violated",
          detail: `task ${task}: the tenure of ${t.worker} (from ${t.atMs}ms) presented token ${t.token}, which ${how} token ${best.token} of the earlier tenure of ${best.worker} (from ${best.atMs}ms)`,
          atMs: t.atMs,
          recordIndexes: [best.index, t.index],
        };
        return { result, tenures };
      }
      if (!best || t.token > best.token!) best = t;
    }
  }
  return { tenures };
}

/** The resource half: it never accepts a token lower than one it already accepted for that task. */
function resourceAcceptance(records: readonly TraceRecord[]): CheckResult | undefined {
  const highest = new Map<string, { token: number; index: number }>();
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.kind !== "store.commit" || !r.data.accepted || r.data.token === null) continue;
    const { task, token } = r.data;
    const before = highest.get(task);
    if (before && token < before.token) {
      return { verdict: "violated", detail: `task ${task}: the resource accepted token ${token} after token ${before.token}`, atMs: r.atMs, recordIndexes: [before.index, i] };
    }
    if (!before || token > before.token) highest.set(task, { token, index: i });
  }
  return undefined;
}

/**
 * Fencing (design.md §2, Checkers), judged independently of what the resource accepted: every new
 * lock tenure of a key presents a token strictly greater than every earlier tenure's (a repeated
 * token is as bad as a lower one: a resource cannot tell the two holders apart), and the resource
 * never accepts a lower token than one it already accepted.
 */
export const fencing: Checker = ({ records }) => {
  const oracle = tokenOracle(records);
  if (oracle.result) return oracle.result;
  const accepted = resourceAcceptance(records);
  if (accepted) return accepted;
  if (oracle.tenures === 0) return notApplicable("no fencing tokens were presented (this worker carries none)");
  return { verdict: "holds", detail: `${oracle.tenures} tenure(s) presented strictly increasing tokens` };
};
