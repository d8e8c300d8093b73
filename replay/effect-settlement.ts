import type { ConsulPort } from "../src/ports/consul-port.js";
import { effectKey, type ConsulEffectCommit } from "../src/resources/consul-effects.js";

/** An effect write whose transaction got no verdict: a 5xx, a transport error or a time-out. */
interface UncertainEffect {
  commit: ConsulEffectCommit;
  key: string;
  /** The value the transaction would have written (the worker's `{"worker","token"}`). */
  value: string | null;
  /** The un-gated client that reads the effect key back. */
  reader: ConsulPort;
}

/**
 * The real replay's ledger of effect commits, shared by every TxnEffectPort of a run. A transaction
 * that failed with a 5xx or without an answer may still have been committed: Consul's HTTP handler
 * answers 500 `rpc error making call: EOF` when the leader dies between applying the Raft entry and
 * answering the RPC (agent/txn_endpoint.go only maps txn errors to 409), and a client time-out says
 * nothing either way. The simulator judges from what the model applied, so an unknown outcome here
 * is settled from the agent itself: a `?consistent` read of the effect key, right after the failure
 * and again at the end of the run. When the key holds exactly the value this transaction wrote, the
 * commit existed and is recorded as accepted, once. When it never shows, nothing is recorded, as for
 * a transaction that never reached the model.
 */
export class EffectSettlement {
  /** `key\nvalue` of every accepted effect already recorded: a settled write is not counted twice. */
  private readonly recorded = new Set<string>();
  private readonly uncertain: UncertainEffect[] = [];
  private readonly reads = new Set<Promise<void>>();

  constructor(private readonly onCommit: (commit: ConsulEffectCommit) => void) {}

  /** A commit Consul decided (applied, or refused with 409/4xx). */
  decided(commit: ConsulEffectCommit, value: string | null, keyPrefix: string): void {
    if (commit.accepted) this.recorded.add(`${effectKey(keyPrefix, commit.taskId)}\n${value}`);
    this.onCommit(commit);
  }

  /** An effect write with no verdict: reads its key back at once (not awaited by the caller) and at `settle`. */
  undecided(effect: UncertainEffect): void {
    this.uncertain.push(effect);
    const read = this.settleOne(effect).finally(() => this.reads.delete(read));
    this.reads.add(read);
  }

  /** Reads back every still-unknown effect key; call at the end of the run, before its cleanup. */
  async settle(): Promise<void> {
    await Promise.all([...this.reads]);
    await Promise.all([...this.uncertain].map((e) => this.settleOne(e)));
  }

  /** How many effect writes are still without a verdict (for the run's report and tests). */
  get unknownCount(): number {
    return this.uncertain.length;
  }

  private async settleOne(effect: UncertainEffect): Promise<void> {
    let value: string | null;
    try {
      const { entry } = await effect.reader.kvGet(effect.key, { consistent: true });
      if (entry === null) return;
      value = entry.value;
    } catch {
      // No leader yet, or the agent is gone: the end of the run reads again.
      return;
    }
    const index = this.uncertain.indexOf(effect);
    if (index < 0) return;
    this.uncertain.splice(index, 1);
    // Another writer's value is that writer's commit (recorded through its own transaction).
    const id = `${effect.key}\n${effect.value}`;
    if (value !== effect.value || this.recorded.has(id)) return;
    this.recorded.add(id);
    this.onCommit({ ...effect.commit, accepted: true, refusal: undefined });
  }
}
