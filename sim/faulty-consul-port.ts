import { ConsulUnavailableError, withoutStack } from "../src/errors.js";
import { ForwardingConsulPort } from "../src/forwarding-consul-port.js";
import type { CallOptions, ConsulPort, SessionEntry } from "../src/ports/consul-port.js";

/** What to do to renew calls. */
export type RenewFault = "none" | "not-found" | "unavailable";

/**
 * Wraps a ConsulPort and breaks one kind of call on purpose: renews that answer 404 while the
 * session still exists, or renews that fail on the transport ("dropped renewals only"). Switch
 * `renew` at any time, or pass `source` so the fault outlives a restart; everything else passes through.
 */
export class FaultyConsulPort extends ForwardingConsulPort {
  /** The renew fault, when no `source` is given. */
  renew: RenewFault = "none";

  constructor(
    inner: ConsulPort,
    private readonly source?: () => RenewFault,
  ) {
    super(inner);
  }

  override async sessionRenew(id: string, options?: CallOptions): Promise<SessionEntry | null> {
    const fault = this.source ? this.source() : this.renew;
    if (fault === "not-found") return null;
    // An injected fault, expected on every renew while it lasts: no stack (withoutStack).
    if (fault === "unavailable") throw withoutStack(() => new ConsulUnavailableError({ operation: "session.renew", reason: "renewal dropped (injected fault)" }));
    return this.inner.sessionRenew(id, options);
  }
}
