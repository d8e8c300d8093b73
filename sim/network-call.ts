import type { SimEvent } from "./event-queue.js";
import { defaultLinkSettings, type LinkSettings, type PendingCall, type ServiceHandler } from "./network-types.js";
import { NetworkTimeoutError } from "./sim-errors.js";
import { abortedError, stopWaitingOnAbort, type AbortWaiter } from "./abort-waiters.js";
import type { ListNode } from "./ordered-list.js";
import type { Scheduler } from "./scheduler.js";

/** The network, as its calls see it: it delivers a call's request, and hears when a call settles (stop its keep-alive). */
export interface CallSettlement {
  settled(call: NetworkCall): void;
  deliver(call: NetworkCall): void;
}

/**
 * One call over the simulated network, from send to settlement: the state the partition
 * machinery reads (PendingCall) and the caller's promise. It settles once, whichever comes first:
 * the response, a transport failure, the timeout or the caller's abort. An object with methods
 * rather than closures: the simulator makes one per call, millions per sweep.
 */
export class NetworkCall implements PendingCall, AbortWaiter {
  settled = false;
  keepAlive: SimEvent | undefined = undefined;
  /** The caller's timeout event, cancelled when the call settles another way. */
  timeout: SimEvent | undefined = undefined;
  /**
   * The caller's link, looked up once per call instead of once per message: a host's link object
   * is its own for good (settings change in place, sim/network.ts `configure`).
   */
  link: LinkSettings = defaultLinkSettings;
  /** The call's place among its host's calls in flight (the network's), left when it settles. */
  pendingPlace: ListNode<NetworkCall> | undefined = undefined;
  /** The call's place among its signal's waiters, left when it settles. */
  abortPlace: ListNode<AbortWaiter> | undefined = undefined;
  /** The service that answers the request, and the request: what the delivery event hands over. */
  handler: ServiceHandler | undefined = undefined;
  request: unknown = undefined;
  /** The answer on its way back (a call gets at most one): what the receive event hands over. */
  replyOk = false;
  replyValue: unknown = undefined;
  /** The caller's timeout (ms), for the timeout event's error. */
  timeoutMs = 0;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly network: CallSettlement,
    readonly hostId: string,
    readonly callId: number,
    readonly op: string,
    readonly incarnation: number,
    readonly sentAtMs: number,
    readonly keepAliveGiveUpMs: number | undefined,
    private readonly signal: AbortSignal | undefined,
    private readonly resolve: (value: unknown) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  /** Fails the call with a transport error (if it is still awaited). */
  fail(error: Error): void {
    if (this.finish()) this.reject(error);
  }

  /** The caller's signal fired: the call is abandoned (the request may still reach the service). */
  onAbort(): void {
    if (this.finish()) this.reject(abortedError(this.op, this.signal?.reason));
  }

  /** The response (or the service's error) arrived. */
  receive(ok: boolean, value: unknown): void {
    if (!this.finish()) return;
    this.scheduler.recordCall(this.hostId, "net.recv", this.callId, this.op);
    if (ok) this.resolve(value);
    else this.reject(value);
  }

  // The call's events (SimEvent.target is the call): methods shared by every call, not a closure per message.

  /** The request's delivery event: the request reaches the service. */
  onDelivery(): void {
    this.network.deliver(this);
  }

  /** The answer's arrival event. */
  onReply(): void {
    const value = this.replyValue;
    this.replyValue = undefined;
    this.receive(this.replyOk, value);
  }

  /** The caller's timeout event. */
  onTimeout(): void {
    this.timedOut(new NetworkTimeoutError(`${this.op}: no response within ${this.timeoutMs}ms`, { callId: this.callId, op: this.op, timeoutMs: this.timeoutMs }));
  }

  /** No response within `timeoutMs`. */
  timedOut(error: Error): void {
    if (!this.finish()) return;
    this.scheduler.recordCall(this.hostId, "net.timeout", this.callId, this.op);
    this.reject(error);
  }

  // Marks the call settled; false if it already was (the later outcome is ignored).
  private finish(): boolean {
    if (this.settled) return false;
    this.settled = true;
    if (this.timeout) this.timeout.cancelled = true;
    if (this.pendingPlace) this.pendingPlace.list?.remove(this.pendingPlace);
    this.network.settled(this);
    if (this.abortPlace) stopWaitingOnAbort(this.abortPlace);
    return true;
  }
}
