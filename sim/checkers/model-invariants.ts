import { notApplicable, type Checker } from "./check-types.js";

/**
 * The Consul model's own invariants (one holder per key, indexes never go back, no acquire inside
 * lock-delay). Only the model records what it did; a real agent's log has none of it.
 */
export const modelInvariants: Checker = ({ records }) => {
  let modelRecords = false;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.kind === "consul.invariant") return { verdict: "violated", detail: r.data.violation, atMs: r.atMs, recordIndexes: [i] };
    // Once one model record is seen, only a violation matters: the prefix tests are spared for the
    // rest of the trace (they were ~0.7% of a generated fenced run, callgrind).
    if (!modelRecords) modelRecords = r.kind.startsWith("consul.session.") || r.kind.startsWith("consul.kv.");
  }
  if (!modelRecords) return notApplicable("no Consul model records (a real agent, or no Consul calls)");
  return { verdict: "holds", detail: "the Consul model kept its invariants" };
};
