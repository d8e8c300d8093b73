import { EventQueue, type SimEvent } from "./event-queue.js";
import { Prng } from "./prng.js";
import { Trace, type CallRecordKind } from "./trace.js";
import type { TraceArgs, TraceEvent, TraceKind } from "../src/trace-events.js";
import { Host, type HostFactory, type HostPorts } from "./host.js";
import { Network } from "./network.js";
import { WorldAssertionError } from "./sim-errors.js";
import type { ScheduleMethodOptions, ScheduleOptions, Scheduler } from "./scheduler.js";
import type { WorldOptions } from "./run-bounds.js";

/**
 * The world's state and its verbs: the virtual clock, the seeded PRNG, the event queue, the
 * network, the hosts and the trace (design.md §2, The world). Nothing in it reads real time.
 * Hosts own their lifecycle (sim/host.ts); the world orchestrates: it checks the host exists,
 * calls the host's verb, writes the trace record and queues what the verb implies. How events are
 * taken and run (step, run, the step barrier) is World's, in sim/world.ts.
 */
export class WorldCore implements Scheduler {
  readonly seed: string;
  readonly prng: Prng;
  readonly trace = new Trace();
  readonly network: Network;
  readonly stepsMax: number;
  readonly horizonMs: number;
  readonly sameTimeStepsMax: number;
  protected readonly traceSteps: boolean;
  protected sameTimeSteps = 0;
  protected readonly queue = new EventQueue();
  private readonly tiePrng: Prng;
  protected readonly hosts = new Map<string, Host>();
  private seq = 0;
  protected now = 0;
  protected stepCount = 0;
  /** The host whose event is running, if any (the blame for what that event does). */
  protected currentHostId: string | undefined;
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

  protected failHost(hostId: string, error: unknown, how = ""): void {
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
}

/** What a host failure's record says of an error: its name and message, or the value thrown. */
export function describeReason(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
