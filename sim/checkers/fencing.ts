import type { Checker } from "./check-types.js";

/** Fencing: the store never accepts a token lower than one it already accepted for that task. */
export const fencing: Checker = ({ records }) => {
  const highest = new Map<string, { token: number; index: number }>();
  let tokens = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.kind !== "store.commit" || r.data?.accepted !== true || typeof r.data.token !== "number") continue;
    tokens++;
    const task = String(r.data.task);
    const before = highest.get(task);
    if (before && r.data.token < before.token) {
      return {
        verdict: "violated",
        detail: `task ${task}: token ${r.data.token} accepted after token ${before.token}`,
        atMs: r.atMs,
        recordIndexes: [before.index, i],
      };
    }
    if (!before || r.data.token > before.token) highest.set(task, { token: r.data.token, index: i });
  }
  return { verdict: "holds", detail: tokens ? `${tokens} fenced commit(s), tokens never went back` : "no fenced commits (this worker carries no token)" };
};
