import { EventQueue, type SimEvent } from "./event-queue.js";
import { Prng } from "./prng.js";
import { Trace } from "./trace.js";
import type { TraceArgs, TraceEvent, TraceKind } from "../src/trace-events.js";
import { Host, type HostFactory, type HostContext } from "./host.js";
import { Network } from "./network.js";
import { acquireGuard, realTimers, runInWorld, type GuardOwner } from "./determinism-guard.js";
import type { DeterminismError } from "./sim-errors.js";

/** Options of a world. */
export interface WorldOptions {
  /** Everything random in the run derives from this. */
  seed: string | number;
  /** The most events one `run` call may execute before it stops with bound "stepsMax". Default 5,000,000. */
  stepsMax?: number;
  /** Virtual time (ms) past which a run stops with bound "horizonMs". Default 86,400,000 (one day). */
  horizonMs?: number;
  /** Record every executed event in the trace (not only what components record). Default true. */
  traceSteps?: boolean;
  /** The most events at one virtual instant before the run stops with bound "sameTimeStepsMax" (a livelock). Default 100,000. */
  sameTimeStepsMax?: number;
}

/** Why `run` returned. */
export type StopReason = "quiescent" | "until" | "untilMs" | "stepsMax" | "horizonMs" | "sameTimeStepsMax";

/** The outcome of one `run` call. */
export interface RunResult {
  stoppedBy: StopReason;
  /** For a bound: which bound, and what was still pending. Empty otherwise. */
  message: string;
  /** Events executed so far in this world (all run calls). */
  steps: number;
  nowMs: number;
}

/** Options of one `run` call. */
export interface RunOptions {
  /** Stop (normally) before the first event later than this virtual time; the clock ends there. */
  untilMs?: number;
  /** Stop (normally) as soon as this returns true; checked after every event. */
  until?: () => boolean;
}

/** Options of `schedule`. Give `atMs` or `delayMs`. */
export interface ScheduleOptions {
  atMs?: number;
  delayMs?: number;
  /** The host whose code runs: the event is held while it is paused and dropped if it crashes. */
  hostId?: string | undefined;
  /** Defaults to the host's current incarnation. The network passes the caller's. */
  incarnation?: number;
  label: string;
  run: () => void;
}

/**
 * The simulated world: one value that owns the virtual clock, the seeded PRNG, the event queue,
 * the network, the hosts and the trace (design.md §2, The world). Nothing in it reads real time.
 *
 * `run` pops events in (time, seeded tie-break, insertion) order; after each one it lets every
 * promise continuation that the event released run to completion before the next event (by
 * yielding one macrotask), so ordinary async/await code runs unmodified and deterministically.
 */
export class World implements GuardOwner {
  readonly seed: string;
  readonly prng: Prng;
  readonly trace = new Trace();
  readonly network: Network;
  readonly stepsMax: number;
  readonly horizonMs: number;
  readonly sameTimeStepsMax: number;
  private readonly traceSteps: boolean;
  private sameTimeSteps = 0;
  private readonly queue = new EventQueue();
  private readonly tiePrng: Prng;
  private readonly hosts = new Map<string, Host>();
  private seq = 0;
  private now = 0;
  private stepCount = 0;
  private currentHostId: string | undefined;
  private violation: DeterminismError | undefined;
  /** Errors thrown or rejected by host programs, in order. */
  readonly hostFailures: { hostId: string; atMs: number; message: string }[] = [];

  constructor(options: WorldOptions) {
    this.seed = String(options.seed);
    this.prng = new Prng(this.seed);
    this.tiePrng = this.prng.fork("tie-break");
    this.stepsMax = options.stepsMax ?? 5_000_000;
    this.horizonMs = options.horizonMs ?? 86_400_000;
    this.traceSteps = options.traceSteps ?? true;
    this.sameTimeStepsMax = options.sameTimeStepsMax ?? 100_000;
    this.network = new Network(this);
  }

  /** Virtual time in ms since the world began. */
  get nowMs(): number {
    return this.now;
  }

  /** Events executed so far. */
  get steps(): number {
    return this.stepCount;
  }

  /** Appends to the trace at the current virtual time. */
  record<K extends TraceKind>(host: string | undefined, kind: K, ...data: TraceArgs<K>): void {
    this.trace.record(this.now, host ?? "-", kind, ...data);
  }

  /** Appends an event built elsewhere (a resource's) at the current virtual time. */
  emit(host: string | undefined, event: TraceEvent): void {
    this.trace.append(this.now, host ?? "-", event);
  }

  /** Queues `run` at a virtual time; returns the event so it can be cancelled. */
  schedule(options: ScheduleOptions): SimEvent {
    const atMs = options.atMs ?? this.now + (options.delayMs ?? 0);
    if (!(atMs >= this.now)) {
      throw new RangeError(`World.schedule: event "${options.label}" at ${atMs}ms is before now (${this.now}ms)`);
    }
    const hostId = options.hostId;
    const event: SimEvent = {
      atMs,
      tie: this.tiePrng.uint32(),
      seq: this.seq++,
      hostId,
      incarnation: options.incarnation ?? (hostId === undefined ? 0 : this.host(hostId).incarnation),
      label: options.label,
      run: options.run,
      cancelled: false,
    };
    this.queue.push(event);
    return event;
  }

  // ---- hosts -------------------------------------------------------------------------------

  /** Adds a host built by `factory`, started at `startAtMs` (default now). */
  addHost(options: { id: string; factory: HostFactory; startAtMs?: number }): Host {
    if (this.hosts.has(options.id)) throw new Error(`World.addHost: host "${options.id}" exists already`);
    const host = new Host({ id: options.id, factory: options.factory, world: this });
    this.hosts.set(options.id, host);
    this.scheduleStart(host, options.startAtMs ?? this.now);
    return host;
  }

  /** The host named `hostId`; throws if there is none. */
  host(hostId: string): Host {
    const host = this.hosts.get(hostId);
    if (!host) throw new Error(`World: no host named "${hostId}"`);
    return host;
  }

  /** Every host, in the order they were added. */
  allHosts(): Host[] {
    return [...this.hosts.values()];
  }

  // A start is always an event, so the program's first lines run as world code, guarded.
  private scheduleStart(host: Host, atMs: number): void {
    this.schedule({ atMs, hostId: host.id, label: "host.start", run: () => this.start(host) });
  }

  private start(host: Host): void {
    host.state = "running";
    host.abort = new AbortController();
    const incarnation = host.incarnation;
    this.record(host.id, "host.start", { incarnation });
    const context: HostContext = {
      hostId: host.id,
      incarnation,
      clock: host.clock,
      random: this.prng.fork(`host:${host.id}:${incarnation}`),
      call: (service, request, options) => this.network.call(host.id, service, request, options),
    };
    const program = host.factory(context);
    program.run(host.abort.signal).then(
      () => {
        if (host.incarnation !== incarnation || host.state === "crashed") return;
        host.state = "exited";
        this.record(host.id, "host.exit", { incarnation });
      },
      (error: unknown) => {
        if (host.incarnation !== incarnation || host.state === "crashed") return;
        host.state = "exited";
        this.failHost(host.id, error);
      },
    );
  }

  private failHost(hostId: string, error: unknown): void {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.hostFailures.push({ hostId, atMs: this.now, message });
    this.record(hostId, "host.failed", { error: message });
  }

  /** Kills the host: its pending timers and responses are dropped for good, no cleanup runs. */
  crash(hostId: string): void {
    const host = this.host(hostId);
    host.state = "crashed";
    host.incarnation++;
    host.held = [];
    this.record(hostId, "host.crash");
  }

  /** Starts a fresh instance from the host's factory (after a crash or an exit). */
  restart(hostId: string): void {
    const host = this.host(hostId);
    if (host.state === "running" || host.state === "paused") {
      throw new Error(`World.restart: host "${hostId}" is ${host.state}; crash it first`);
    }
    if (host.state === "exited") host.incarnation++;
    host.state = "idle";
    this.scheduleStart(host, this.now);
  }

  /** Stops the world for this host: its due events wait until `resume` (a GC or VM pause). */
  pause(hostId: string): void {
    const host = this.host(hostId);
    if (host.state !== "running") throw new Error(`World.pause: host "${hostId}" is ${host.state}, not running`);
    host.state = "paused";
    this.record(hostId, "host.pause");
  }

  /** Ends a pause: the held events fire now, in the order they came due. */
  resume(hostId: string): void {
    const host = this.host(hostId);
    if (host.state !== "paused") throw new Error(`World.resume: host "${hostId}" is ${host.state}, not paused`);
    host.state = "running";
    this.record(hostId, "host.resume", { held: host.held.length });
    const held = host.held;
    host.held = [];
    // tie = -1 puts them before other events due now; seq keeps their order.
    for (const e of held) this.queue.push({ ...e, atMs: this.now, tie: -1, seq: this.seq++ });
  }

  /** Asks the host's program to stop (its AbortSignal fires), as Ctrl+C would. */
  stop(hostId: string): void {
    const host = this.host(hostId);
    this.schedule({ hostId, label: "host.stop", run: () => host.abort?.abort(new Error("stopped")) });
  }

  /** Sets how fast the host's local clock runs relative to virtual time (1 = exact). */
  setClockRate(hostId: string, rate: number): void {
    if (!(rate > 0)) throw new RangeError(`World.setClockRate: rate must be > 0, got ${rate}`);
    const host = this.host(hostId);
    host.clockAnchorLocalMs = host.localMs(this.now);
    host.clockAnchorWorldMs = this.now;
    host.clockRate = rate;
    this.record(hostId, "host.clock-rate", { rate });
  }

  // ---- running -----------------------------------------------------------------------------

  /** Called by the determinism guard when world code reaches for real time or randomness. */
  onDeterminismViolation(error: DeterminismError): void {
    if (!this.violation) {
      error.context.hostId = this.currentHostId;
      error.context.atMs = this.now;
      error.message += ` (host ${this.currentHostId ?? "-"}, t=${this.now}ms)`;
      this.violation = error;
    }
  }

  /**
   * Runs events until the queue is empty, a stop condition holds, or a bound is hit. A bound ends
   * the run normally; `stoppedBy` and `message` say which bound and what was still pending.
   * A determinism violation rejects with the DeterminismError naming the call.
   */
  async run(options: RunOptions = {}): Promise<RunResult> {
    const release = acquireGuard();
    try {
      for (;;) {
        if (this.violation) throw this.violation;
        if (options.until?.()) return this.result("until", "");
        const next = this.queue.peek();
        if (next === undefined && options.untilMs === undefined) return this.result("quiescent", "");
        if (next === undefined || (options.untilMs !== undefined && next.atMs > options.untilMs)) {
          this.now = Math.max(this.now, options.untilMs ?? this.now);
          return this.result("untilMs", "");
        }
        if (next.atMs > this.horizonMs) {
          this.now = this.horizonMs;
          return this.result("horizonMs", this.boundMessage("horizonMs", `${this.horizonMs}ms of virtual time`));
        }
        if (this.stepCount >= this.stepsMax) {
          return this.result("stepsMax", this.boundMessage("stepsMax", `${this.stepsMax} events`));
        }
        if (this.sameTimeSteps >= this.sameTimeStepsMax && next.atMs === this.now) {
          return this.result("sameTimeStepsMax", this.boundMessage("sameTimeStepsMax", `${this.sameTimeStepsMax} events without time moving: a livelock`));
        }
        this.queue.pop();
        this.sameTimeSteps = next.atMs === this.now ? this.sameTimeSteps + 1 : 0;
        if (!this.execute(next)) continue;
        // Let every continuation released by the event run before the next event.
        await new Promise<void>((resolve) => realTimers.setImmediate(resolve));
      }
    } finally {
      this.currentHostId = undefined;
      release();
    }
  }

  /** Runs one event if it is live; returns whether it ran. */
  private execute(event: SimEvent): boolean {
    if (event.cancelled) return false;
    this.now = event.atMs;
    const hostId = event.hostId;
    if (hostId !== undefined) {
      const host = this.hosts.get(hostId)!;
      if (event.incarnation !== host.incarnation || host.state === "crashed") return false;
      if (host.state === "paused") {
        host.held.push(event);
        return false;
      }
    }
    this.stepCount++;
    this.currentHostId = hostId;
    if (this.traceSteps) this.trace.record(this.now, hostId ?? "-", "step", { e: event.label });
    try {
      runInWorld(this, event.run);
    } catch (error) {
      if (hostId !== undefined) this.failHost(hostId, error);
      else throw error;
    }
    return true;
  }

  private result(stoppedBy: StopReason, message: string): RunResult {
    return { stoppedBy, message, steps: this.stepCount, nowMs: this.now };
  }

  private boundMessage(bound: string, limit: string): string {
    const live = this.queue.live();
    const byKind = new Map<string, number>();
    for (const e of live) {
      const k = `${e.hostId ?? "-"}:${e.label}`;
      byKind.set(k, (byKind.get(k) ?? 0) + 1);
    }
    const pending = [...byKind.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([k, n]) => `${k}×${n}`)
      .join(", ");
    return `stopped by bound ${bound} (${limit}) at t=${this.now}ms after ${this.stepCount} events; ` +
      `still pending: ${live.length} events${pending ? ` (${pending})` : ""}`;
  }
}
