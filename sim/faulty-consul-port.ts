import { ConsulUnavailableError } from "../src/errors.js";
import type { CallOptions, ConsulPort, KvGetOptions, KvGetResult, KvPutOptions, SessionCreateOptions, SessionEntry } from "../src/ports/consul-port.js";

/** What to do to renew calls. */
export type RenewFault = "none" | "not-found" | "unavailable";

/**
 * Wraps a ConsulPort and breaks one kind of call on purpose: renews that answer 404 while the
 * session still exists, or renews that fail on the transport ("dropped renewals only"). Switch
 * `renew` at any time; everything else passes through.
 */
export class FaultyConsulPort implements ConsulPort {
  /** The renew fault, when no `source` is given. */
  renew: RenewFault = "none";

  /** `source`, if given, is asked on every renew (so a fault can outlive a restart). */
  constructor(
    private readonly inner: ConsulPort,
    private readonly source?: () => RenewFault,
  ) {}

  sessionCreate(options?: SessionCreateOptions): Promise<string> {
    return this.inner.sessionCreate(options);
  }

  async sessionRenew(id: string, options?: CallOptions): Promise<SessionEntry | null> {
    const fault = this.source ? this.source() : this.renew;
    if (fault === "not-found") return null;
    if (fault === "unavailable") throw new ConsulUnavailableError({ operation: "session.renew", reason: "renewal dropped (injected fault)" });
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
}
