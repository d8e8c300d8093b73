import { AbortedError } from "../src/errors.js";
import type { Prng } from "./prng.js";
import { NetworkTimeoutError } from "./sim-errors.js";
import type { Scheduler } from "./scheduler.js";

/** Options of one call. */
export interface NetworkCallOptions {
  /** Give up (reject with NetworkTimeoutError) after this many ms without a response. */
  timeoutMs: number;
  /** Abort the wait; the request may still reach the service. */
  signal?: AbortSignal | undefined;
  /** A short name of the operation, for the trace (e.g. "kv.put"). */
  op?: string;
}

/** A service handler: runs when the request arrives; its result (or promise) is the response. */
export type ServiceHandler = (request: unknown, meta: { from: string; callId: number }) => unknown;

/** Which direction a partition cuts. */
export type PartitionMode = "requests" | "responses" | "both";

/** Per-host link settings. Latencies are one-way, drawn uniformly in [min, max]. */
export interface LinkSettings {
  latencyMsMin: number;
  latencyMsMax: number;
  /** Probability that a request is lost on the way to the service. */
  requestLossRate: number;
  /** Probability that a response is lost on the way back (the service acted). */
  responseLossRate: number;
  partition: PartitionMode | undefined;
}

/** One call as the service side sees it, from its arrival to its response. */
interface DeliveredCall {
  hostId: string;
  /** The caller's incarnation when it sent the call: the response is dropped if it crashed since. */
  incarnation: number;
  callId: number;
  op: string;
  handler: ServiceHandler;
  request: unknown;
}

/** Default link: 1–5 ms each way, no loss, not partitioned. */
export const defaultLinkSettings: LinkSettings = {
  latencyMsMin: 1,
  latencyMsMax: 5,
  requestLossRate: 0,
  responseLossRate: 0,
  partition: undefined,
};

/**
 * The simulated network between hosts and services (Consul, an echo service). Each call is a
 * request and a response, each with its own seeded latency and each droppable: a lost request
 * never reaches the service; a lost response means the service acted but the caller times out,
 * the indeterminate case real clients face (design.md §2, The world).
 */
export class Network {
  private readonly services = new Map<string, ServiceHandler>();
  private readonly links = new Map<string, LinkSettings>();
  private readonly dropNext = new Map<string, { request: number; response: number }>();
  private readonly prng: Prng;
  private callSeq = 0;

  private readonly scheduler: Scheduler;

  /** `prng` is the network's own stream (the world forks it with label "network"). */
  constructor(options: { scheduler: Scheduler; prng: Prng }) {
    this.scheduler = options.scheduler;
    this.prng = options.prng;
  }

  /** Makes `handler` answer calls to `service`. */
  register(service: string, handler: ServiceHandler): void {
    this.services.set(service, handler);
  }

  /** The link settings of `hostId` (defaults unless changed). */
  link(hostId: string): LinkSettings {
    let l = this.links.get(hostId);
    if (!l) {
      l = { ...defaultLinkSettings };
      this.links.set(hostId, l);
    }
    return l;
  }

  /** Changes some link settings of `hostId`. */
  configure(hostId: string, settings: Partial<LinkSettings>): void {
    Object.assign(this.link(hostId), settings);
  }

  /** Cuts `hostId` off from every service in the given direction(s), until `heal`. */
  partition(hostId: string, mode: PartitionMode = "both"): void {
    this.link(hostId).partition = mode;
    this.scheduler.record(hostId, "net.partition", { mode });
  }

  /** Undoes `partition`. Requests already lost stay lost. */
  heal(hostId: string): void {
    this.link(hostId).partition = undefined;
    this.scheduler.record(hostId, "net.heal");
  }

  /** Loses the next `count` requests (or responses) of `hostId`: for exact fault tests. */
  loseNext(hostId: string, direction: "request" | "response", count = 1): void {
    const d = this.dropNext.get(hostId) ?? { request: 0, response: 0 };
    d[direction] += count;
    this.dropNext.set(hostId, d);
  }

  private latencyMs(l: LinkSettings): number {
    return this.prng.int(l.latencyMsMin, l.latencyMsMax);
  }

  private lost(hostId: string, direction: "request" | "response"): boolean {
    const l = this.link(hostId);
    if (l.partition === "both" || l.partition === `${direction}s`) return true;
    const d = this.dropNext.get(hostId);
    if (d && d[direction] > 0) {
      d[direction]--;
      return true;
    }
    const rate = direction === "request" ? l.requestLossRate : l.responseLossRate;
    return rate > 0 && this.prng.chance(rate);
  }

  /** Sends `request` from `hostId` to `service` and resolves with the service's response. */
  call<Res>(hostId: string, service: string, request: unknown, options: NetworkCallOptions): Promise<Res> {
    const scheduler = this.scheduler;
    const callId = ++this.callSeq;
    const op = options.op ?? service;
    const incarnation = scheduler.incarnationOf(hostId);
    const handler = this.services.get(service);
    if (!handler) throw new Error(`Network.call: no service named "${service}" is registered`);
    return new Promise<Res>((resolve, reject) => {
      let settled = false;
      const signal = options.signal;
      const finish = (): boolean => {
        if (settled) return false;
        settled = true;
        timeout.cancelled = true;
        signal?.removeEventListener("abort", onAbort);
        return true;
      };
      const onAbort = (): void => {
        if (finish()) reject(new AbortedError(op, signal?.reason));
      };
      const timeout = scheduler.schedule({
        delayMs: options.timeoutMs,
        hostId,
        incarnation,
        label: "net.timeout",
        run: () => {
          if (!finish()) return;
          scheduler.record(hostId, "net.timeout", { call: callId, op });
          reject(new NetworkTimeoutError(`${op}: no response within ${options.timeoutMs}ms`, { callId, op, timeoutMs: options.timeoutMs }));
        },
      });
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      scheduler.record(hostId, "net.send", { call: callId, op });
      if (this.lost(hostId, "request")) {
        scheduler.record(hostId, "net.lost", { call: callId, op, dir: "request" });
        return;
      }
      scheduler.schedule({
        delayMs: this.latencyMs(this.link(hostId)),
        label: "net.deliver",
        run: () =>
          this.deliver({ hostId, incarnation, callId, op, handler, request }, (ok, value) => {
            if (!finish()) return;
            scheduler.record(hostId, "net.recv", { call: callId, op });
            if (ok) resolve(value as Res);
            else reject(value);
          }),
      });
    });
  }

  /**
   * The request has arrived: the service acts, then its response travels back (unless it is lost)
   * as an event of the caller's incarnation, so a crash in between drops it.
   */
  private deliver(call: DeliveredCall, onReceive: (ok: boolean, value: unknown) => void): void {
    const { hostId, callId, op } = call;
    const respond = (ok: boolean, value: unknown): void => {
      if (this.lost(hostId, "response")) {
        this.scheduler.record(hostId, "net.lost", { call: callId, op, dir: "response" });
        return;
      }
      this.scheduler.schedule({
        delayMs: this.latencyMs(this.link(hostId)),
        hostId,
        incarnation: call.incarnation,
        label: "net.recv",
        run: () => onReceive(ok, value),
      });
    };
    let result: unknown;
    try {
      result = call.handler(call.request, { from: hostId, callId });
    } catch (error) {
      respond(false, error);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (v) => respond(true, v),
        (e) => respond(false, e),
      );
    } else {
      respond(true, result);
    }
  }
}
