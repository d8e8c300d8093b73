import type { CallOptions, ConsulPort, KvGetOptions, KvGetResult, KvPutOptions, SessionCreateOptions, SessionEntry } from "./ports/consul-port.js";

/**
 * A ConsulPort that remembers every session it created and every key it wrote, so a real run can
 * clean up after itself even when a worker was killed mid-task (design.md §2, Real Consul).
 */
export class RecordingConsulPort implements ConsulPort {
  readonly sessions = new Set<string>();
  readonly keys = new Set<string>();

  constructor(private readonly inner: ConsulPort) {}

  async sessionCreate(options?: SessionCreateOptions): Promise<string> {
    const id = await this.inner.sessionCreate(options);
    this.sessions.add(id);
    return id;
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
    this.keys.add(key);
    return this.inner.kvPut(key, value, options);
  }

  kvDelete(key: string, options?: CallOptions & { cas?: number }): Promise<boolean> {
    return this.inner.kvDelete(key, options);
  }
}
