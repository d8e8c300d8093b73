import { AbortedError } from "../src/errors.js";
import { ForwardingConsulPort } from "../src/forwarding-consul-port.js";
import type { CallOptions, KvPutOptions, SessionCreateOptions, TxnOp, TxnResult } from "../src/ports/consul-port.js";

/**
 * A ConsulPort that lets the writes which create state on the agent (session create, KV put) run to
 * their answer even when the caller abandons them, and can wait for every such write still in
 * flight. Cancelling an HTTP request does not undo it: Consul may already have applied it (the
 * port contract, src/ports/consul-port.ts, "the request may still have reached Consul"). A session
 * created by a request that was cancelled while in flight would be unknown to the run's cleanup and
 * left on the agent, so an interrupted run first waits for these answers (`settled`), records the
 * sessions they name (the RecordingConsulPort inside), and only then cleans up.
 *
 * The caller sees no difference: an abort still rejects its call at once with AbortedError.
 */
export class SettlingConsulPort extends ForwardingConsulPort {
  private readonly inflight = new Set<Promise<unknown>>();

  override sessionCreate(options?: SessionCreateOptions): Promise<string> {
    return this.settle("session.create", options?.signal, () => this.inner.sessionCreate({ ...options, signal: undefined }));
  }

  override kvPut(key: string, value: string | null, options?: KvPutOptions): Promise<boolean> {
    return this.settle(options?.acquire !== undefined ? "kv.acquire" : "kv.put", options?.signal, () => this.inner.kvPut(key, value, { ...options, signal: undefined }));
  }

  override txn(ops: readonly TxnOp[], options?: CallOptions): Promise<TxnResult> {
    return this.settle("txn", options?.signal, () => this.inner.txn(ops, { ...options, signal: undefined }));
  }

  /**
   * Resolves when every write in flight has its answer, or after `timeoutMs` (ms); resolves with
   * the number still in flight then (0 when all settled).
   */
  async settled(timeoutMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.allSettled([...this.inflight]), timeout]);
    clearTimeout(timer);
    return this.inflight.size;
  }

  private settle<T>(op: string, signal: AbortSignal | undefined, start: () => Promise<T>): Promise<T> {
    // An already-aborted call is never sent, as the real adapter does.
    if (signal?.aborted) return Promise.reject(new AbortedError(op, signal.reason));
    const call = start();
    this.inflight.add(call);
    const forget = (): void => void this.inflight.delete(call);
    call.then(forget, forget);
    if (!signal) return call;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(new AbortedError(op, signal.reason));
      signal.addEventListener("abort", onAbort, { once: true });
      call.then(
        (v) => {
          signal.removeEventListener("abort", onAbort);
          resolve(v);
        },
        (e: unknown) => {
          signal.removeEventListener("abort", onAbort);
          reject(e);
        },
      );
    });
  }
}
