import { ConsulHttpError } from "../src/errors.js";
import { ForwardingConsulPort } from "../src/forwarding-consul-port.js";
import type { CallOptions, ConsulPort, TxnOp, TxnResult } from "../src/ports/consul-port.js";
import { effectCommitsOfTxn, type ConsulEffectCommit } from "../src/resources/consul-effects.js";

/**
 * The real replay's view of Consul as the resource (src/resources/consul-effects.ts): it sits
 * between the agent's client and the worker's fault gate, so it sees the agent's answer to every
 * transaction that reached the agent, also when the gate then loses it (a partition of responses)
 * or holds it (a pause). Each effect write is reported as Consul decided it; the worker's belief
 * plays no part. A transaction the client got no answer to is not reported: on a loopback agent
 * that does not happen within the client's time-out.
 */
export class TxnEffectPort extends ForwardingConsulPort {
  constructor(
    inner: ConsulPort,
    private readonly keyPrefix: string,
    private readonly onCommit: (commit: ConsulEffectCommit) => void,
  ) {
    super(inner);
  }

  override async txn(ops: readonly TxnOp[], options?: CallOptions): Promise<TxnResult> {
    const observed = ops.map((op) => ({ verb: op.verb, key: op.key, value: "value" in op ? op.value : null }));
    let result: TxnResult;
    try {
      result = await this.inner.txn(ops, options);
    } catch (error) {
      // A 413 or 400 is a refusal too: nothing was applied.
      if (error instanceof ConsulHttpError) this.report({ ops: observed, applied: false, errors: [`${error.status} ${error.body.trim()}`] });
      throw error;
    }
    this.report({ ops: observed, applied: result.ok, errors: result.ok ? [] : result.errors.map((e) => e.what) });
    return result;
  }

  private report(txn: Parameters<typeof effectCommitsOfTxn>[1]): void {
    for (const commit of effectCommitsOfTxn(this.keyPrefix, txn)) this.onCommit(commit);
  }
}
