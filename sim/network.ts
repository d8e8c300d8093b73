import type { Prng } from "./prng.js";
import { NetworkConnectionError } from "./sim-errors.js";
import type { Scheduler } from "./scheduler.js";
import { NetworkCall } from "./network-call.js";
import { hasAborted, watchOf } from "./abort-waiters.js";
import { OrderedList } from "./ordered-list.js";
import { defaultLinkSettings, type HeldMessage, type LinkSettings, type NetworkCallOptions, type PartitionKind, type PartitionMode, type PendingCall, type ServiceHandler } from "./network-types.js";

// A call's events run these methods with the call as `this` (SimEvent.target): no closure per message.
const { onDelivery, onReply, onTimeout } = NetworkCall.prototype;

export { defaultLinkSettings, type LinkSettings, type NetworkCallOptions, type PartitionKind, type PartitionMode, type ServiceHandler } from "./network-types.js";

/**
 * The simulated network between hosts and services (Consul, an echo service). Each call is a
 * request and a response, each with its own seeded latency and each droppable: a lost request
 * never reaches the service; a lost response means the service acted but the caller times out,
 * the indeterminate case real clients face (design.md §2, The world).
 *
 * Partitions come in two kinds (PartitionKind). A `drop` partition swallows messages but the TCP
 * connection survives: at the heal, every swallowed message whose caller still waits (not timed
 * out, aborted or crashed) is retransmitted and delivered (`net.retransmit`), and a caller whose
 * keep-alive gives up first fails with a transport error (`net.gave-up`). A `reject` partition
 * resets: the call fails at once (`net.reset`).
 */
export class Network {
  private readonly services = new Map<string, ServiceHandler>();
  private readonly links = new Map<string, LinkSettings>();
  private readonly dropNext = new Map<string, { request: number; response: number }>();
  // Per host, its calls in flight, in the order they were sent (a partition arms their keep-alives in that order).
  private readonly pending = new Map<string, OrderedList<NetworkCall>>();
  private readonly held = new Map<string, HeldMessage[]>();
  private readonly partitionSinceMs = new Map<string, number>();
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

  /** Cuts `hostId` off from every service in the given direction(s), until `heal`. Default: drop both ways. */
  partition(hostId: string, mode: PartitionMode = "both", kind: PartitionKind = "drop"): void {
    Object.assign(this.link(hostId), { partition: mode, partitionKind: kind });
    this.partitionSinceMs.set(hostId, this.scheduler.nowMs);
    // A drop partition's record stays as it always was, so traces of existing scenarios keep their hashes.
    this.scheduler.record(hostId, "net.partition", kind === "drop" ? { mode } : { mode, kind });
    if (kind === "drop") for (const call of this.pending.get(hostId)?.values() ?? []) this.armKeepAlive(call);
  }

  /**
   * Undoes `partition`. Messages a drop partition swallowed are retransmitted now if their caller
   * still waits (TCP on a surviving connection); the others stay lost. Keep-alive give-ups stop.
   */
  heal(hostId: string): void {
    const link = this.link(hostId);
    link.partition = undefined;
    link.partitionKind = "drop";
    this.scheduler.record(hostId, "net.heal");
    for (const call of this.pending.get(hostId)?.values() ?? []) this.disarmKeepAlive(call);
    const held = this.held.get(hostId) ?? [];
    this.held.delete(hostId);
    for (const m of held) {
      if (!this.awaited(m.call)) continue;
      this.scheduler.record(hostId, "net.retransmit", { call: m.call.callId, op: m.call.op, dir: m.dir });
      m.resend();
    }
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

  /** The partition kind that cuts `direction` of a host's link `l` now, if any. */
  private cut(l: LinkSettings, direction: "request" | "response"): PartitionKind | undefined {
    return l.partition === "both" || l.partition === `${direction}s` ? l.partitionKind : undefined;
  }

  /** Whether a message is lost for good, outside partitions: `loseNext`, then the loss rate. */
  private lostByChance(hostId: string, l: LinkSettings, direction: "request" | "response"): boolean {
    if (this.dropNext.size > 0) {
      const d = this.dropNext.get(hostId);
      if (d && d[direction] > 0) {
        d[direction]--;
        return true;
      }
    }
    const rate = direction === "request" ? l.requestLossRate : l.responseLossRate;
    return rate > 0 && this.prng.chance(rate);
  }

  private awaited(call: PendingCall): boolean {
    return !call.settled && this.scheduler.incarnationOf(call.hostId) === call.incarnation;
  }

  // While a drop partition keeps the link silent, the caller's keep-alive counts from the later of
  // the send and the start of the silence.
  private armKeepAlive(call: PendingCall): void {
    const giveUpMs = call.keepAliveGiveUpMs;
    if (giveUpMs === undefined || call.settled || call.keepAlive) return;
    const sinceMs = Math.max(call.sentAtMs, this.partitionSinceMs.get(call.hostId) ?? call.sentAtMs);
    call.keepAlive = this.scheduler.schedule({
      atMs: Math.max(this.scheduler.nowMs, sinceMs + giveUpMs),
      hostId: call.hostId,
      incarnation: call.incarnation,
      label: "net.keep-alive",
      run: () => {
        call.keepAlive = undefined;
        if (call.settled) return;
        this.scheduler.record(call.hostId, "net.gave-up", { call: call.callId, op: call.op, silentMs: this.scheduler.nowMs - sinceMs });
        call.fail(new NetworkConnectionError(`${call.op}: connection timed out (keep-alive gave up after ${giveUpMs}ms of silence)`, { callId: call.callId, op: call.op, keepAliveGiveUpMs: giveUpMs }));
      },
    });
  }

  private disarmKeepAlive(call: PendingCall): void {
    if (call.keepAlive) call.keepAlive.cancelled = true;
    call.keepAlive = undefined;
  }

  /** A reset travels back to the caller in one latency and fails its call, if it still waits. */
  private reset(call: PendingCall, dir: "request" | "response"): void {
    this.scheduler.record(call.hostId, "net.reset", { call: call.callId, op: call.op, dir });
    this.scheduler.schedule({
      delayMs: this.latencyMs(this.link(call.hostId)),
      hostId: call.hostId,
      incarnation: call.incarnation,
      label: "net.reset",
      run: () => call.fail(new NetworkConnectionError(`${call.op}: connection ${dir === "request" ? "refused" : "reset after the server acted"} (partition: reject)`, { callId: call.callId, op: call.op })),
    });
  }

  private hold(message: HeldMessage): void {
    const list = this.held.get(message.call.hostId) ?? [];
    list.push(message);
    this.held.set(message.call.hostId, list);
  }

  /** Sends `request` from `hostId` to `service` and resolves with the service's response. */
  call<Res>(hostId: string, service: string, request: unknown, options: NetworkCallOptions): Promise<Res> {
    const scheduler = this.scheduler;
    const op = options.op ?? service;
    const handler = this.services.get(service);
    if (!handler) throw new Error(`Network.call: no service named "${service}" is registered`);
    return new Promise<Res>((resolve, reject) => {
      const signal = options.signal;
      let calls = this.pending.get(hostId);
      if (calls === undefined) {
        calls = new OrderedList<NetworkCall>();
        this.pending.set(hostId, calls);
      }
      const incarnation = scheduler.incarnationOf(hostId);
      const call = new NetworkCall(scheduler, this, hostId, ++this.callSeq, op, incarnation, scheduler.nowMs, options.keepAliveGiveUpMs, signal, resolve as (value: unknown) => void, reject);
      call.link = this.link(hostId);
      const timeoutMs = options.timeoutMs;
      if (timeoutMs !== undefined) {
        call.timeoutMs = timeoutMs;
        call.timeout = scheduler.scheduleMethod({ delayMs: timeoutMs, hostId, incarnation, label: "net.timeout", target: call, run: onTimeout });
      }
      const watch = signal === undefined ? undefined : watchOf(signal);
      if (watch !== undefined && hasAborted(watch, signal!)) {
        call.onAbort();
        return;
      }
      call.pendingPlace = calls.add(call);
      if (watch !== undefined) call.abortPlace = watch.list.add(call);
      call.handler = handler;
      call.request = request;
      this.send(call);
    });
  }

  /** A call settled (answered, failed, timed out or aborted; it has left its host's calls in flight): nobody waits for it any more. */
  settled(call: NetworkCall): void {
    this.disarmKeepAlive(call);
  }

  /** The request leaves the caller: refused, swallowed by a partition, lost, or on its way. */
  private send(call: NetworkCall): void {
    const { hostId, callId, op } = call;
    this.scheduler.recordCall(hostId, "net.send", callId, op);
    const link = call.link;
    const cut = this.cut(link, "request");
    if (cut === "reject") return this.reset(call, "request");
    if (cut === "drop") {
      this.scheduler.record(hostId, "net.lost", { call: callId, op, dir: "request" });
      this.hold({ call, dir: "request", resend: () => this.travel(call) });
      return this.armKeepAlive(call);
    }
    if (link.partition !== undefined && link.partitionKind === "drop") this.armKeepAlive(call);
    if (this.lostByChance(hostId, link, "request")) {
      this.scheduler.record(hostId, "net.lost", { call: callId, op, dir: "request" });
      return;
    }
    this.travel(call);
  }

  // The request is on its way: it arrives after one latency, whatever happens to the caller.
  private travel(call: NetworkCall): void {
    this.scheduler.scheduleMethod({
      delayMs: this.latencyMs(call.link),
      // The world's own event (no host, incarnation 0), written out so that every event the
      // network schedules has one options shape for the scheduler.
      hostId: undefined,
      incarnation: 0,
      label: "net.deliver",
      target: call,
      run: onDelivery,
    });
  }

  /**
   * The request has arrived: the service acts, then its response travels back (unless it is lost)
   * as an event of the caller's incarnation, so a crash in between drops it.
   */
  deliver(call: NetworkCall): void {
    let result: unknown;
    try {
      const request = call.request;
      // Delivered once: the call no longer holds the request (it may wait long for a blocking answer).
      call.request = undefined;
      result = call.handler!(request, { from: call.hostId, callId: call.callId });
    } catch (error) {
      this.respond(call, false, error);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (v) => this.respond(call, true, v),
        (e) => this.respond(call, false, e),
      );
    } else {
      this.respond(call, true, result);
    }
  }

  // The service answered: the response is reset, swallowed, lost, or on its way back.
  private respond(call: NetworkCall, ok: boolean, value: unknown): void {
    const link = call.link;
    const cut = this.cut(link, "response");
    if (cut === "reject") return this.reset(call, "response");
    if (cut === "drop" || this.lostByChance(call.hostId, link, "response")) {
      this.scheduler.record(call.hostId, "net.lost", { call: call.callId, op: call.op, dir: "response" });
      if (cut === "drop") this.hold({ call, dir: "response", resend: () => this.travelBack(call, ok, value) });
      return;
    }
    this.travelBack(call, ok, value);
  }

  private travelBack(call: NetworkCall, ok: boolean, value: unknown): void {
    call.replyOk = ok;
    call.replyValue = value;
    this.scheduler.scheduleMethod({
      delayMs: this.latencyMs(call.link),
      hostId: call.hostId,
      incarnation: call.incarnation,
      label: "net.recv",
      target: call,
      run: onReply,
    });
  }
}
