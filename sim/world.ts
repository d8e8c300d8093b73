import { EventQueue, type SimEvent } from "./event-queue.js";
import { Prng } from "./prng.js";
import { Trace, type CallRecordKind } from "./trace.js";
import type { TraceArgs, TraceEvent, TraceKind } from "../src/trace-events.js";
import { Host, type HostFactory, type HostPorts } from "./host.js";
import { Network } from "./network.js";
import { beaconStep } from "./progress-beacon.js";
import { acquireGuard, leaveWorld, runInWorld, type GuardOwner } from "./determinism-guard.js";
import { watchRejections } from "./unhandled-rejections.js";
import { afterDrain } from "./step-pump.js";
import { WorldAssertionError, type DeterminismError } from "./sim-errors.js";
import type { ScheduleMethodOptions, ScheduleOptions, Scheduler } from "./scheduler.js";
import { stopBefore, type RunOptions, type RunResult, type WorldOptions } from "./run-bounds.js";

export type { ScheduleMethodOptions, ScheduleOptions } from "./scheduler.js";

export type { RunOptions, RunResult, StopReason, WorldOptions } from "./run-bounds.js";

/**
 * The simulated world: one value that owns the virtual clock, the seeded PRNG, the event queue,
 * the network, the hosts and the trace (design.md §2, The world). Nothing in it reads real time.
 * Hosts own their lifecycle (sim/host.ts); the world orchestrates: it checks the host exists,
 * calls the host's verb, writes the trace record and queues what the verb implies.
 *
 * `step` pops events in (time, seeded tie-break, insertion) order until one runs; then it lets
 * every promise continuation that the event released run to completion (the step barrier of
 * sim/step-pump.ts), so ordinary async/await code runs unmodified and deterministically. `run` takes
 * the same turns (one queued event, then the drain if it ran) with its stop conditions and
 * bounds checked before each queued event, so driving a world by hand with `step` and running it
 * execute the same events in the same order.
 */
export class World implements GuardOwner, Scheduler {
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
  private internalError: Error | undefined;
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
    this.network = new Network({ scheduler: this, prng: this.prng.fork("network") });
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
  record<K extends TraceKind>(host: string | undefined, kind: K, ...data: TraceArgs<K>): void;
  // One optional parameter rather than a rest one: no array per record on this hot path.
  record(host: string | undefined, kind: TraceKind, data?: unknown): void {
    this.trace.add(this.now, host ?? "-", kind, data);
  }

  /** Appends a network call record at the current virtual time (Scheduler.recordCall). */
  recordCall(host: string, kind: CallRecordKind, callId: number, op: string): void {
    this.trace.call(this.now, host, kind, callId, op);
  }

  /** Appends an event built elsewhere (a resource's) at the current virtual time. */
  emit(host: string | undefined, event: TraceEvent): void {
    this.trace.append(this.now, host ?? "-", event);
  }

  /** Queues `run` at a virtual time; returns the event so it can be cancelled. Throws WorldAssertionError for a time in the past or an unknown host. */
  schedule(options: ScheduleOptions): SimEvent {
    return this.enqueue(options, options.run as SimEvent["run"], undefined);
  }

  /** `schedule` for a method: the event calls `run` on `target` (see SimEvent.target). */
  scheduleMethod<T>(options: ScheduleMethodOptions<T>): SimEvent {
    return this.enqueue(options, options.run as SimEvent["run"], options.target);
  }

  private enqueue(options: Omit<ScheduleOptions, "run">, run: SimEvent["run"], target: unknown): SimEvent {
    const atMs = options.atMs ?? this.now + (options.delayMs ?? 0);
    if (!(atMs >= this.now)) {
      const expected = `event "${options.label}" at or after now (${this.now}ms)`;
      throw new WorldAssertionError({ operation: "World.schedule", expected, seen: `${atMs}ms`, hostId: options.hostId, atMs: this.now });
    }
    const hostId = options.hostId;
    const event: SimEvent = {
      atMs,
      tie: this.tiePrng.uint32(),
      seq: this.seq++,
      hostId,
      incarnation: options.incarnation ?? (hostId === undefined ? 0 : this.incarnationOf(hostId)),
      label: options.label,
      run,
      target,
      cancelled: false,
    };
    this.queue.push(event);
    return event;
  }

  /** The live incarnation of `hostId`. Throws WorldAssertionError for an unknown host. */
  incarnationOf(hostId: string): number {
    return this.host(hostId).incarnation;
  }

  // ---- hosts -------------------------------------------------------------------------------

  /** Adds a host built by `factory`, started at `startAtMs` (default now). Throws WorldAssertionError if the id is taken. */
  addHost(options: { id: string; factory: HostFactory; startAtMs?: number }): Host {
    if (this.hosts.has(options.id)) {
      throw new WorldAssertionError({ operation: "World.addHost", expected: "a new host id", seen: "a host with that id", hostId: options.id });
    }
    // Internalized, as property names are: the maps keyed by host id (hosts, the network's calls
    // and links, the trace's names) then tell two ids apart by address. An id built at run time
    // (`w${i}`) is not, and a lookup compared it with every other id in its bucket by content.
    const id = Object.keys({ [options.id]: true })[0]!;
    const host = new Host({ id, factory: options.factory, scheduler: this });
    this.hosts.set(id, host);
    this.scheduleStart(host, options.startAtMs ?? this.now);
    return host;
  }

  /** The host named `hostId`; throws WorldAssertionError if there is none. */
  host(hostId: string): Host {
    const host = this.hosts.get(hostId);
    if (!host) throw new WorldAssertionError({ operation: "World.host", expected: "a host added with addHost", seen: "no such host", hostId });
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
    const incarnation = host.incarnation;
    this.record(host.id, "host.start", { incarnation });
    const ports: HostPorts = {
      random: this.prng.fork(`host:${host.id}:${incarnation}`),
      call: (service, request, options) => this.network.call(host.id, service, request, options),
    };
    host.start(ports, (outcome) => {
      if (outcome.ok) this.record(host.id, "host.exit", { incarnation });
      else this.failHost(host.id, outcome.error);
    });
  }

  private failHost(hostId: string, error: unknown, how = ""): void {
    const message = how + describeReason(error);
    this.hostFailures.push({ hostId, atMs: this.now, message });
    this.record(hostId, "host.failed", { error: message });
  }

  /** Kills the host: its pending timers and responses are dropped for good, no cleanup runs. */
  crash(hostId: string): void {
    this.host(hostId).crash();
    this.record(hostId, "host.crash");
  }

  /** Starts a fresh instance from the host's factory, now. The host must be crashed or exited. */
  restart(hostId: string): void {
    const host = this.host(hostId);
    host.restart();
    this.scheduleStart(host, this.now);
  }

  /** Stops the world for this host: its due events wait until `resume` (a GC or VM pause). The host must be running. */
  pause(hostId: string): void {
    this.host(hostId).pause();
    this.record(hostId, "host.pause");
  }

  /** Ends a pause: the held events fire now, in the order they came due. The host must be paused. */
  resume(hostId: string): void {
    const held = this.host(hostId).resume();
    this.record(hostId, "host.resume", { held: held.length });
    // tie = -1 puts them before other events due now; seq keeps their order.
    for (const e of held) this.queue.push({ ...e, atMs: this.now, tie: -1, seq: this.seq++ });
  }

  /** Asks the host's program to stop (its AbortSignal fires), as Ctrl+C would. */
  stop(hostId: string): void {
    const host = this.host(hostId);
    this.schedule({ hostId, label: "host.stop", run: () => host.stop(new Error("stopped")) });
  }

  /** Sets how fast the host's local clock runs relative to virtual time (1 = exact; must be finite and > 0). */
  setClockRate(hostId: string, rate: number): void {
    this.host(hostId).setClockRate(rate, this.now);
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
   * Called (sim/unhandled-rejections.ts) when code of this world rejected a promise and left it
   * without a handler past the end of its event's drain. It is the worker's failure, blamed on the
   * host whose event ran. The host then dies as its process would in production: Node ends a
   * process on an unhandled rejection by default (`--unhandled-rejections=throw`, since Node 15),
   * so its timers and responses are dropped and its session lives on until Consul expires it.
   * Without a host (the world's own event: a delivery, Consul's timers) the code is locksim's, and
   * the run fails with an internal error instead.
   */
  onUnhandledRejection(reason: unknown): void {
    const hostId = this.currentHostId;
    if (hostId === undefined) {
      // The world's own code (a delivery, Consul's timers) is locksim's, not the worker's: the run fails as an internal error.
      this.internalError ??= new Error(`unhandled promise rejection in the simulator's own event (t=${this.now}ms): ${describeReason(reason)}`, { cause: reason });
      return;
    }
    this.failHost(hostId, reason, "unhandled promise rejection: ");
    if (this.host(hostId).state !== "crashed") this.crash(hostId);
  }

  /**
   * Runs the next event that is due to run, then lets every promise continuation it released run
   * to completion. Events that will not run on the way (cancelled, of a crashed or replaced
   * instance, or held by a pause) are taken off the queue first. Drive a world by hand with it:
   * `while (await world.step()) inspect(world)`.
   *
   * Unlike `run`, it checks no bound (stepsMax, horizonMs, sameTimeStepsMax): it runs whatever
   * comes next, however far ahead in virtual time.
   * @returns true if an event ran; false if the queue held nothing left to run.
   * @throws DeterminismError if world code reached for real time, randomness or timers.
   */
  async step(): Promise<boolean> {
    const release = acquireGuard();
    const unwatch = watchRejections();
    try {
      this.throwIfViolated();
      // The event runs from a barrier, never from the caller's own turn: the guard's step window
      // must open on an empty microtask queue, so that no continuation of the caller's (or of code
      // running concurrently with it) runs inside the window as world code.
      await this.drain();
      for (;;) {
        const ran = this.takeNext();
        if (ran === undefined) return false;
        if (ran) break;
      }
      await this.drain();
      this.throwIfViolated();
      return true;
    } finally {
      leaveWorld();
      this.currentHostId = undefined;
      release();
      unwatch();
    }
  }

  /**
   * Runs events until the queue is empty, a stop condition holds, or a bound is hit. A bound ends
   * the run normally; `stoppedBy` and `message` say which bound and what was still pending.
   * A determinism violation rejects with the DeterminismError naming the call.
   */
  run(options: RunOptions = {}): Promise<RunResult> {
    const release = acquireGuard();
    const unwatch = watchRejections();
    return new Promise<RunResult>((resolve, reject) => {
      const end = (settle: () => void): void => {
        leaveWorld();
        this.currentHostId = undefined;
        release();
        unwatch();
        settle();
      };
      // One turn: queued events are taken one at a time, run or not, so the bounds are checked
      // before each (`step` is the same turn repeated until an event runs); once one ran, the turn
      // ends and the barrier starts the next turn after the event's continuations have run.
      const turn = (): void => {
        try {
          for (;;) {
            const stopped = this.stopReason(options);
            if (stopped) return end(() => resolve(stopped));
            if (this.takeNext()) return afterDrain(turn);
          }
        } catch (error) {
          end(() => reject(error as Error));
        }
      };
      // The first turn starts from the barrier too (see `step`).
      afterDrain(turn);
    });
  }

  // Why the run stops before its next queued event (a violation throws), or undefined to go on.
  private stopReason(options: RunOptions): RunResult | undefined {
    this.throwIfViolated();
    if (options.until?.()) return { stoppedBy: "until", message: "", steps: this.stepCount, nowMs: this.now };
    const next = this.queue.peek();
    // The common case, decided without building the position: no bound or `untilMs` stops the run
    // before `next` (the same conditions as stopBefore's).
    if (
      next !== undefined &&
      next.atMs <= this.horizonMs &&
      this.stepCount < this.stepsMax &&
      (options.untilMs === undefined || next.atMs <= options.untilMs) &&
      (this.sameTimeSteps < this.sameTimeStepsMax || next.atMs !== this.now)
    ) {
      return undefined;
    }
    const position = { next, nowMs: this.now, steps: this.stepCount, sameTimeSteps: this.sameTimeSteps, live: () => this.queue.live() };
    const stopped = stopBefore(position, this, options);
    if (stopped) this.now = stopped.nowMs;
    return stopped;
  }

  private throwIfViolated(): void {
    if (this.violation) throw this.violation;
    if (this.internalError) throw this.internalError;
  }

  // Lets every promise continuation released by the event run before the next event (sim/step-pump.ts).
  private drain(): Promise<void> {
    return new Promise<void>((resolve) => afterDrain(resolve));
  }

  // Pops the next event and executes it; undefined when the queue is empty.
  private takeNext(): boolean | undefined {
    const next = this.queue.pop();
    if (next === undefined) return undefined;
    this.sameTimeSteps = next.atMs === this.now ? this.sameTimeSteps + 1 : 0;
    return this.execute(next);
  }

  /** Runs one event if it is live; returns whether it ran. */
  private execute(event: SimEvent): boolean {
    if (event.cancelled) return false;
    this.now = event.atMs;
    const hostId = event.hostId;
    if (hostId !== undefined) {
      const host = this.hosts.get(hostId)!;
      if (!host.isLive(event)) return false;
      if (host.state === "paused") {
        host.hold(event);
        return false;
      }
    }
    this.stepCount++;
    this.currentHostId = hostId;
    beaconStep(this.stepCount, this.now, hostId);
    if (this.traceSteps) this.trace.step(this.now, hostId ?? "-", event.label);
    try {
      runInWorld<void, unknown>(this, event.run, event.target);
    } catch (error) {
      if (hostId !== undefined) this.failHost(hostId, error);
      else throw error;
    }
    return true;
  }
}

// What a host failure's record says of the error: its name and message, or the value thrown.
function describeReason(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
