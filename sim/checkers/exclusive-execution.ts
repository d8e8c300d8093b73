import { notApplicable, type Checker } from "./check-types.js";

/**
 * Exclusive execution: no two workers run the same task at overlapping virtual times. A run lasts
 * from task.start to task.end or task.abort on that worker, or to its crash; a paused worker is
 * still running its task (it believes it holds the lock). A worker that never records task.start
 * gives this check nothing to judge.
 */
export const exclusiveExecution: Checker = ({ records }) => {
  // task → worker → index of the open task.start
  const open = new Map<string, Map<string, number>>();
  let starts = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.kind === "host.crash") {
      for (const byWorker of open.values()) byWorker.delete(r.host);
      continue;
    }
    if (r.kind !== "task.start" && r.kind !== "task.end" && r.kind !== "task.abort") continue;
    const task = r.data.task;
    let byWorker = open.get(task);
    if (!byWorker) open.set(task, (byWorker = new Map()));
    if (r.kind !== "task.start") {
      byWorker.delete(r.host);
      continue;
    }
    starts++;
    for (const [other, index] of byWorker) {
      if (other === r.host) continue;
      return {
        verdict: "violated",
        detail: `task ${task} ran on ${other} (since ${records[index]!.atMs}ms) and ${r.host} (from ${r.atMs}ms) at once`,
        atMs: r.atMs,
        recordIndexes: [index, i],
      };
    }
    byWorker.set(r.host, i);
  }
  if (starts === 0) return notApplicable("no task starts were recorded");
  return { verdict: "holds", detail: `no task ran on two workers at once (${starts} task start(s))` };
};
