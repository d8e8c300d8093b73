import type { Checker } from "./check-types.js";

/** At-most-once effect (the mission's property): each task's effect is committed at most once. */
export const atMostOnce: Checker = ({ records }) => {
  const first = new Map<string, { index: number; worker: string; atMs: number }>();
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.kind !== "store.commit" || r.data?.accepted !== true) continue;
    const task = String(r.data.task);
    const worker = String(r.data.worker);
    const before = first.get(task);
    if (before) {
      return {
        verdict: "violated",
        detail: `task ${task} took effect twice: by ${before.worker} at ${before.atMs}ms and by ${worker} at ${r.atMs}ms`,
        atMs: r.atMs,
        recordIndexes: [before.index, i],
      };
    }
    first.set(task, { index: i, worker, atMs: r.atMs });
  }
  return { verdict: "holds", detail: `${first.size} task(s) took effect once each` };
};
