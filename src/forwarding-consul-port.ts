import type { CallOptions, ConsulPort, KvGetOptions, KvGetResult, KvPutOptions, SessionCreateOptions, SessionEntry, TxnOp, TxnResult } from "./ports/consul-port.js";

/** A ConsulPort that passes every call to `inner`: the base of decorators that change one or two calls. */
export class ForwardingConsulPort implements ConsulPort {
  constructor(protected readonly inner: ConsulPort) {}

  sessionCreate(options?: SessionCreateOptions): Promise<string> {
    return this.inner.sessionCreate(options);
  }

  sessionRenew(id: string, options?: CallOptions): Promise<SessionEntry | null> {
    return this.inner.sessionRenew(id, options);
  }

  sessionDestroy(id: string, options?: CallOptions): Promise<boolean> {
    return this.inner.sessionDestroy(id, options);
  }

  sessionInfo(id: string, options?: CallOptions): Promise<SessionEntry | null> {
    return this.inner.sessionInfo(id, options);
  }

  kvGet(key: string, options?: KvGetOptions): Promise<KvGetResult> {
    return this.inner.kvGet(key, options);
  }

  kvPut(key: string, value: string | null, options?: KvPutOptions): Promise<boolean> {
    return this.inner.kvPut(key, value, options);
  }

  kvDelete(key: string, options?: CallOptions & { cas?: number }): Promise<boolean> {
    return this.inner.kvDelete(key, options);
  }

  txn(ops: readonly TxnOp[], options?: CallOptions): Promise<TxnResult> {
    return this.inner.txn(ops, options);
  }
}
