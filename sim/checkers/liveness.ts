import { notApplicable, type Checker } from "./check-types.js";

/** Liveness: by the end of the run (after the faults stop and a quiet period) every task took effect. */
export const liveness: Checker = ({ records, tasks }) => {
  if (tasks.length === 0) return notApplicable("the run had no tasks");
  const done = new Set<string>();
  for (const r of records) if (r.kind === "store.commit" && r.data.accepted) done.add(r.data.task);
  // Push, not filter+map: one elements kind whichever tier runs this (map inlined by TurboFan
  // returns HOLEY arrays, the builtin PACKED ones; `missing.join` deopted on the flip).
  const missing: string[] = [];
  for (const t of tasks) if (!done.has(t.id)) missing.push(t.id);
  const endMs = records.at(-1)?.atMs ?? 0;
  if (missing.length) return { verdict: "violated", detail: `never committed by the end of the run (${endMs}ms): ${missing.join(", ")}`, atMs: endMs };
  return { verdict: "holds", detail: `all ${tasks.length} task(s) committed` };
};
