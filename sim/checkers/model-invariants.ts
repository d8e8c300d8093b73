import { notApplicable, type Checker } from "./check-types.js";

/**
 * The Consul model's own invariants (one holder per key, indexes never go back, no acquire inside
 * lock-delay). Only the model records what it did; a real agent's log has none of it.
 */
export const modelInvariants: Checker = ({ records }) => {
  let modelRecords = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.kind === "consul.invariant") return { verdict: "violated", detail: r.data.violation, atMs: r.atMs, recordIndexes: [i] };
    if (r.kind.startsWith("consul.session.") || r.kind.startsWith("consul.kv.")) modelRecords++;
  }
  if (modelRecords === 0) return notApplicable("no Consul model records (a real agent, or no Consul calls)");
  return { verdict: "holds", detail: "the Consul model kept its invariants" };
};
