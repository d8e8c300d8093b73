import { ForwardingConsulPort } from "./forwarding-consul-port.js";
import type { CallOptions, KvPutOptions, SessionCreateOptions, TxnOp, TxnResult } from "./ports/consul-port.js";

/**
 * A ConsulPort that remembers every session it created and every key it wrote, so a real run can
 * clean up after itself even when a worker was killed mid-task (design.md §2, Real Consul).
 */
export class RecordingConsulPort extends ForwardingConsulPort {
  readonly sessions = new Set<string>();
  readonly keys = new Set<string>();

  override async sessionCreate(options?: SessionCreateOptions): Promise<string> {
    const id = await this.inner.sessionCreate(options);
    this.sessions.add(id);
    return id;
  }

  override kvPut(key: string, value: string | null, options?: KvPutOptions): Promise<boolean> {
    this.keys.add(key);
    return this.inner.kvPut(key, value, options);
  }

  /** A transaction may write keys (and lock them): each key it names is remembered. */
  override txn(ops: readonly TxnOp[], options?: CallOptions): Promise<TxnResult> {
    for (const op of ops) this.keys.add(op.key);
    return this.inner.txn(ops, options);
  }
}
