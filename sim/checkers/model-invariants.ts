import type { Checker } from "./check-types.js";

/** The Consul model's own invariants (one holder per key, indexes never go back, no acquire inside lock-delay). */
export const modelInvariants: Checker = ({ records }) => {
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.kind === "consul.invariant") return { verdict: "violated", detail: String(r.data?.violation), atMs: r.atMs, recordIndexes: [i] };
  }
  return { verdict: "holds", detail: "the Consul model kept its invariants" };
};
