import { AbortedError, ConsulUnavailableError } from "../src/errors.js";
import type { TraceEvent } from "../src/trace-events.js";
import type { PartitionKind, PartitionMode } from "../sim/network-types.js";
import { HostFaults, type LinkListener } from "./host-faults.js";

/** One call through the link, while (or after) it is awaited. */
interface LinkCall {
  id: number;
  op: string;
  sentAtMs: number;
  settled: boolean;
  fail(error: Error): void;
  keepAlive: NodeJS.Timeout | undefined;
}

/** The network records a real link writes, in the simulator's vocabulary (sim/network.ts). */
export type LinkRecord = (event: Extract<TraceEvent, { kind: "net.reset" | "net.retransmit" | "net.gave-up" }>) => void;

/** Options of a GateLink. */
export interface GateLinkOptions {
  /** The caller's keep-alive give-up (ms of silence), or undefined: none (ClientDeadline.keepAliveGiveUpMs). */
  keepAliveGiveUpMs: number | undefined;
  /** Whether the worker incarnation behind the link is still alive: a crashed one waits for nothing. */
  alive: () => boolean;
  record?: LinkRecord | undefined;
  /**
   * The worker's host, whose partition the link plays: shared by the links of all its incarnations,
   * so a partition outlives a crash and restart as in the simulator. Default: a host of its own.
   */
  host?: HostFaults | undefined;
}

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/**
 * The real replay's link between one worker and its Consul agent: the same partition kinds and the
 * same TCP-like rules as the simulated network (sim/network.ts), played around real HTTP calls.
 *
 * Why the worker gate plays partitions rather than a loopback TCP proxy per worker: a proxy that
 * stops forwarding gives TCP-like delivery after the heal for free, and refuses or resets for real,
 * but on loopback the kernel acknowledges everything between the client and the proxy, so the
 * client's keep-alive never fires: the Go client's deadline (no time-out, a keep-alive give-up)
 * could not be played, and a dropped call would hang until the proxy forwards it. The gate holds a
 * dropped request (it is sent at the heal if its caller still waits), holds a dropped answer (it is
 * delivered at the heal likewise), runs the caller's keep-alive give-up from the later of the send
 * and the start of the silence, and fails a rejected call at once: exactly what the simulator does,
 * under the same ClientDeadline.
 *
 * The partition itself is the host's (HostFaults), not the link's: a restarted worker's new link
 * starts cut if its host still is, as the simulated network keeps a partition per host id. The
 * link keeps what belongs to its incarnation: the calls it awaits and the messages it holds.
 */
export class GateLink implements LinkListener {
  private readonly host: HostFaults;
  private readonly calls = new Set<LinkCall>();
  private healWaiters: (() => void)[] = [];
  private seq = 0;

  constructor(private readonly options: GateLinkOptions) {
    this.host = options.host ?? new HostFaults();
    // The newest incarnation's link hears the host's cuts and heals from now on.
    this.host.attach(this);
  }

  /** The partition now, if any. */
  get partition(): { mode: PartitionMode; kind: PartitionKind } | undefined {
    return this.host.partition;
  }

  /** The host was cut off: a drop partition starts every awaited call's keep-alive count. */
  onCut(): void {
    if (this.host.partition?.kind === "drop") for (const c of this.calls) this.armKeepAlive(c);
  }

  /** The host was healed: no more keep-alive counts, and the held messages go (if still awaited). */
  onHeal(): void {
    for (const c of this.calls) this.disarmKeepAlive(c);
    const waiters = this.healWaiters;
    this.healWaiters = [];
    for (const w of waiters) w();
  }

  private kindFor(dir: "request" | "response"): PartitionKind | undefined {
    const p = this.host.partition;
    return p && (p.mode === "both" || p.mode === `${dir}s`) ? p.kind : undefined;
  }

  private awaited(c: LinkCall): boolean {
    return !c.settled && this.options.alive();
  }

  private armKeepAlive(c: LinkCall): void {
    const giveUpMs = this.options.keepAliveGiveUpMs;
    if (giveUpMs === undefined || c.settled || c.keepAlive) return;
    // From the later of the send and the start of the silence, as sim/network.ts counts it.
    const silentSinceMs = Math.max(c.sentAtMs, this.host.partition?.sinceMs ?? c.sentAtMs);
    c.keepAlive = setTimeout(
      () => {
        c.keepAlive = undefined;
        if (c.settled) return;
        this.options.record?.({ kind: "net.gave-up", data: { call: c.id, op: c.op, silentMs: Math.round(performance.now() - silentSinceMs) } });
        c.fail(new ConsulUnavailableError({ operation: c.op, reason: `connection timed out (keep-alive gave up after ${giveUpMs}ms of silence)` }));
      },
      Math.max(0, silentSinceMs + giveUpMs - performance.now()),
    );
  }

  private disarmKeepAlive(c: LinkCall): void {
    if (c.keepAlive) clearTimeout(c.keepAlive);
    c.keepAlive = undefined;
  }

  // Waits for the heal; then says whether the message goes through (its call still awaited).
  private async held(c: LinkCall, dir: "request" | "response"): Promise<boolean> {
    if (this.host.partition?.kind === "drop") await new Promise<void>((resolve) => this.healWaiters.push(resolve));
    if (!this.awaited(c)) return false;
    this.options.record?.({ kind: "net.retransmit", data: { call: c.id, op: c.op, dir } });
    return true;
  }

  private reset(c: LinkCall, dir: "request" | "response"): ConsulUnavailableError {
    this.options.record?.({ kind: "net.reset", data: { call: c.id, op: c.op, dir } });
    const what = dir === "request" ? "connection refused" : "connection reset after the server acted";
    return new ConsulUnavailableError({ operation: c.op, reason: `${what} (partition: reject)` });
  }

  /**
   * One call: `send` makes the real request. The answer comes back as the partition lets it, under
   * the caller's time-out (`timeoutMs`, undefined: none), keep-alive and abort signal.
   */
  call<T>(op: string, o: { timeoutMs: number | undefined; signal: AbortSignal | undefined; delay: () => Promise<void> }, send: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const signal = o.signal;
      if (signal?.aborted) return reject(new AbortedError(op, signal.reason));
      let timer: NodeJS.Timeout | undefined;
      const settle = (finish: () => void): void => {
        if (c.settled) return;
        c.settled = true;
        this.calls.delete(c);
        if (timer) clearTimeout(timer);
        this.disarmKeepAlive(c);
        signal?.removeEventListener("abort", onAbort);
        finish();
      };
      const c: LinkCall = { id: ++this.seq, op, sentAtMs: performance.now(), settled: false, fail: (e) => settle(() => reject(e)), keepAlive: undefined };
      const onAbort = (): void => settle(() => reject(new AbortedError(op, signal?.reason)));
      signal?.addEventListener("abort", onAbort, { once: true });
      const timeoutMs = o.timeoutMs;
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => settle(() => reject(new ConsulUnavailableError({ operation: op, reason: `no response within ${timeoutMs}ms`, timeoutMs }))), timeoutMs);
      }
      this.calls.add(c);
      if (this.host.partition?.kind === "drop") this.armKeepAlive(c);
      this.flow(c, o.delay, send).then(
        (v) => settle(() => resolve(v)),
        (e: unknown) => settle(() => reject(e)),
      );
    });
  }

  // The request's way out and the answer's way back, each through the partition as it is then.
  private async flow<T>(c: LinkCall, delay: () => Promise<void>, send: () => Promise<T>): Promise<T> {
    await delay();
    const out = this.kindFor("request");
    if (out === "reject") throw this.reset(c, "request");
    if (out === "drop" && !(await this.held(c, "request"))) return never();
    let result: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      result = { ok: true, value: await send() };
    } catch (error) {
      result = { ok: false, error };
    }
    const back = this.kindFor("response");
    if (back === "reject") throw this.reset(c, "response");
    if (back === "drop" && !(await this.held(c, "response"))) return never();
    await delay();
    if (!result.ok) throw result.error;
    return result.value;
  }
}
