import { AbortedError } from "../src/errors.js";
import type { Prng } from "./prng.js";
import { NetworkTimeoutError } from "./sim-errors.js";
import type { World } from "./world.js";

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

  constructor(private readonly world: World) {
    this.prng = world.prng.fork("network");
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
    this.world.record(hostId, "net.partition", { mode });
  }

  /** Undoes `partition`. Requests already lost stay lost. */
  heal(hostId: string): void {
    this.link(hostId).partition = undefined;
    this.world.record(hostId, "net.heal");
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
    const world = this.world;
    const callId = ++this.callSeq;
    const op = options.op ?? service;
    const incarnation = world.host(hostId).incarnation;
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
      const timeout = world.schedule({
        delayMs: options.timeoutMs,
        hostId,
        incarnation,
        label: "net.timeout",
        run: () => {
          if (!finish()) return;
          world.record(hostId, "net.timeout", { call: callId, op });
          reject(new NetworkTimeoutError(`${op}: no response within ${options.timeoutMs}ms`, { callId, op, timeoutMs: options.timeoutMs }));
        },
      });
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      world.record(hostId, "net.send", { call: callId, op });
      if (this.lost(hostId, "request")) {
        world.record(hostId, "net.lost", { call: callId, op, dir: "request" });
        return;
      }
      world.schedule({
        delayMs: this.latencyMs(this.link(hostId)),
        label: "net.deliver",
        run: () => {
          const respond = (ok: boolean, value: unknown): void => {
            if (this.lost(hostId, "response")) {
              world.record(hostId, "net.lost", { call: callId, op, dir: "response" });
              return;
            }
            world.schedule({
              delayMs: this.latencyMs(this.link(hostId)),
              hostId,
              incarnation,
              label: "net.recv",
              run: () => {
                if (!finish()) return;
                world.record(hostId, "net.recv", { call: callId, op });
                if (ok) resolve(value as Res);
                else reject(value);
              },
            });
          };
          let result: unknown;
          try {
            result = handler(request, { from: hostId, callId });
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
        },
      });
    });
  }
}
