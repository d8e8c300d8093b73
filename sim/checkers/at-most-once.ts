import { notApplicable, type Checker } from "./check-types.js";

/** At-most-once effect (the mission's property): each task's effect is committed at most once. */
export const atMostOnce: Checker = ({ records }) => {
  const first = new Map<string, { index: number; worker: string; atMs: number }>();
  let attempts = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.kind !== "store.commit") continue;
    attempts++;
    if (!r.data.accepted) continue;
    const { task, worker } = r.data;
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
  if (attempts === 0) return notApplicable("no commit attempts were recorded");
  return { verdict: "holds", detail: `${first.size} task(s) took effect once each (${attempts} commit attempt(s))` };
};
