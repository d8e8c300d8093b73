import type { TraceRecord } from "../trace.js";

/** How a task execution ended. */
export type TaskRunEnd = "end" | "abort" | "crash" | "open";

/**
 * One execution of a task on one worker: task.start to task.end or task.abort on that worker, or
 * to its crash, or to the end of the trace. A paused worker is still running its task (it believes
 * it holds the lock), exactly as the exclusive-execution checker counts it.
 */
export interface TaskRun {
  task: string;
  worker: string;
  startMs: number;
  endMs: number;
  endedBy: TaskRunEnd;
  /** The fencing token the worker started with, if it carries one. */
  token?: number;
  /** Why it aborted (task.abort's reason). */
  abortReason?: string;
  startIndex: number;
  /** Index of the record that ended it; undefined when it was still open at the end. */
  endIndex?: number;
}

/** Every task execution of a trace, in the order they started. */
export function taskRuns(records: readonly TraceRecord[]): TaskRun[] {
  const runs: TaskRun[] = [];
  const open = new Map<string, TaskRun>(); // `${worker}\t${task}` → run
  const close = (run: TaskRun, atMs: number, endedBy: TaskRunEnd, index: number): void => {
    run.endMs = atMs;
    run.endedBy = endedBy;
    run.endIndex = index;
  };
  records.forEach((r, index) => {
    if (r.kind === "host.crash") {
      for (const [key, run] of open) {
        if (run.worker !== r.host) continue;
        close(run, r.atMs, "crash", index);
        open.delete(key);
      }
      return;
    }
    if (r.kind !== "task.start" && r.kind !== "task.end" && r.kind !== "task.abort") return;
    const key = `${r.host}\t${r.data.task}`;
    const current = open.get(key);
    if (r.kind === "task.start") {
      const run: TaskRun = { task: r.data.task, worker: r.host, startMs: r.atMs, endMs: r.atMs, endedBy: "open", startIndex: index };
      if (r.data.token !== undefined) run.token = r.data.token;
      runs.push(run);
      open.set(key, run);
      return;
    }
    if (!current) return;
    close(current, r.atMs, r.kind === "task.end" ? "end" : "abort", index);
    if (r.kind === "task.abort") current.abortReason = r.data.reason;
    open.delete(key);
  });
  const endMs = records.length === 0 ? 0 : records[records.length - 1]!.atMs;
  for (const run of open.values()) run.endMs = endMs;
  return runs;
}
