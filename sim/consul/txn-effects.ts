import { effectCommitsOfTxn, type ConsulEffectCommit } from "../../src/resources/consul-effects.js";
import type { TxnOutcome } from "./txn-endpoint.js";

/**
 * The effect commits (src/resources/consul-effects.ts) of a transaction the model answered: judged
 * on what the model applied at the moment it applied it, before any answer travels back, so a
 * commit whose response is lost still counts, and a late write the model refused counts as refused.
 */
export function modelEffectCommits(keyPrefix: string, outcome: TxnOutcome): ConsulEffectCommit[] {
  return effectCommitsOfTxn(keyPrefix, {
    // The model keeps values as base64, as Consul's API carries them.
    ops: outcome.ops.map((op) => ({ verb: op.verb, key: op.key, value: op.value === null ? null : Buffer.from(op.value, "base64").toString("utf8") })),
    applied: outcome.applied,
    errors: outcome.errors.map((e) => e.What),
  });
}
