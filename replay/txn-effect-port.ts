import { ConsulHttpError } from "../src/errors.js";
import { ForwardingConsulPort } from "../src/forwarding-consul-port.js";
import type { CallOptions, ConsulPort, TxnOp, TxnResult } from "../src/ports/consul-port.js";
import { effectCommitsOfTxn, effectKey, type ConsulEffectCommit, type ObservedTxnOp } from "../src/resources/consul-effects.js";
import type { EffectSettlement } from "./effect-settlement.js";

/** Options of a TxnEffectPort. */
export interface TxnEffectPortOptions {
  keyPrefix: string;
  /** The run's ledger, shared by all its ports; `settle()` it at the end of the run. */
  settlement: EffectSettlement;
}

/**
 * The real replay's view of Consul as the resource (src/resources/consul-effects.ts): it sits
 * between the agent's client and the worker's fault gate, so it sees the agent's answer to every
 * transaction that reached the agent, also when the gate then loses it (a partition of responses)
 * or holds it (a pause). Each effect write is reported as Consul decided it; the worker's belief
 * plays no part. Only a 409 (txn errors) or another 4xx is a refusal: nothing was applied. A 5xx,
 * a transport error or a time-out is no verdict (the transaction may have been committed, e.g. 500
 * `rpc error making call: EOF` during a fail-over); the EffectSettlement reads the effect key back
 * through `inner`, which is below the gate, and records the commit if it exists.
 */
export class TxnEffectPort extends ForwardingConsulPort {
  private readonly keyPrefix: string;
  private readonly settlement: EffectSettlement;

  constructor(inner: ConsulPort, options: TxnEffectPortOptions) {
    super(inner);
    this.keyPrefix = options.keyPrefix;
    this.settlement = options.settlement;
  }

  override async txn(ops: readonly TxnOp[], options?: CallOptions): Promise<TxnResult> {
    const observed = ops.map((op) => ({ verb: op.verb, key: op.key, value: "value" in op ? op.value : null }));
    let result: TxnResult;
    try {
      result = await this.inner.txn(ops, options);
    } catch (error) {
      if (error instanceof ConsulHttpError && error.status < 500) this.decided(observed, false, [`${error.status} ${error.body.trim()}`]);
      else this.undecided(observed);
      throw error;
    }
    this.decided(observed, result.ok, result.ok ? [] : result.errors.map((e) => e.what));
    return result;
  }

  private decided(ops: readonly ObservedTxnOp[], applied: boolean, errors: readonly string[]): void {
    for (const { commit, value } of this.commitsOf(ops, applied, errors)) this.settlement.decided(commit, value, this.keyPrefix);
  }

  private undecided(ops: readonly ObservedTxnOp[]): void {
    for (const { commit, value } of this.commitsOf(ops, true, [])) {
      this.settlement.undecided({ commit, value, key: effectKey(this.keyPrefix, commit.taskId), reader: this.inner });
    }
  }

  /** The effect commits of the transaction, each with the value its write carries. */
  private commitsOf(ops: readonly ObservedTxnOp[], applied: boolean, errors: readonly string[]): { commit: ConsulEffectCommit; value: string | null }[] {
    return effectCommitsOfTxn(this.keyPrefix, { ops, applied, errors }).map((commit) => {
      const key = effectKey(this.keyPrefix, commit.taskId);
      const value = ops.find((op) => op.key === key && op.value !== null)?.value ?? null;
      return { commit, value };
    });
  }
}
