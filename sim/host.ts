import type { Clock } from "../src/ports/clock.js";
import type { Random } from "../src/ports/random.js";
import type { SimEvent } from "./event-queue.js";
import type { NetworkCallOptions } from "./network.js";
import type { Scheduler } from "./scheduler.js";
import { SimClock } from "./sim-clock.js";
import { WorldAssertionError } from "./sim-errors.js";

/** What the world hands a host's factory: the host's own ports. */
export interface HostContext {
  hostId: string;
  /** 0 for the first start, +1 for each restart after a crash. */
  incarnation: number;
  clock: Clock;
  random: Random;
  /** A request/response call over the simulated network, from this host to a named service. */
  call<Res>(service: string, request: unknown, options: NetworkCallOptions): Promise<Res>;
}

/** A running program on a host: the same shape as a worker (design.md §2, Workers). */
export interface HostProgram {
  run(signal: AbortSignal): Promise<unknown>;
}

/** Builds a fresh program for a host; called once per start, so a restart gets a new instance. */
export type HostFactory = (context: HostContext) => HostProgram;

/** Where a host is in its life. */
export type HostState = "idle" | "running" | "paused" | "crashed" | "exited";

/** The ports the world gives a starting instance, besides the host's own id, incarnation and clock. */
export type HostPorts = Pick<HostContext, "random" | "call">;

/** How a program's `run` ended: it returned, or it threw or rejected with `error`. */
export type HostOutcome = { ok: true } | { ok: false; error: unknown };

/** Options of a host. */
export interface HostOptions {
  id: string;
  factory: HostFactory;
  /** The world's scheduler: the host's clock reads its time and queues its timers there. */
  scheduler: Scheduler;
}

/**
 * A simulated machine. It owns its lifecycle: its state, its incarnation (a crash or a restart
 * after an exit bumps it, which makes every event of the old instance stale), the events held
 * while it is paused, its abort signal, and the drift of its local clock. Each verb checks that
 * it is legal in the current state and throws a WorldAssertionError if not. The host writes no
 * trace records and queues no events of its own: the world does that around each verb.
 *
 * idle → start → running ⇄ pause/resume ⇄ paused; any state → crash → crashed;
 * running → program ends → exited; crashed or exited → restart → idle.
 */
export class Host {
  readonly id: string;
  readonly factory: HostFactory;
  /** The host's local clock: virtual time through its drift; its timers are host events. */
  readonly clock: SimClock;
  private currentState: HostState = "idle";
  private currentIncarnation = 0;
  /** Events that came due while the host was paused, in the order they came due. */
  private held: SimEvent[] = [];
  private abort: AbortController | undefined;
  private rate = 1;
  // Local time = anchorLocalMs + (worldMs − anchorWorldMs) × rate; re-anchored on each rate change.
  private anchorWorldMs = 0;
  private anchorLocalMs = 0;

  constructor(options: HostOptions) {
    this.id = options.id;
    this.factory = options.factory;
    this.clock = new SimClock(options.scheduler, this);
  }

  /** Where the host is in its life. */
  get state(): HostState {
    return this.currentState;
  }

  /** 0 for the first instance; events scheduled by an older instance are stale. */
  get incarnation(): number {
    return this.currentIncarnation;
  }

  /** Local clock speed relative to virtual time: 1 = exact, 1.01 = runs 1% fast. Default 1. */
  get clockRate(): number {
    return this.rate;
  }

  /** How many events are held by a pause right now. */
  get heldCount(): number {
    return this.held.length;
  }

  /** This host's local clock reading (ms) at virtual time `worldMs`. */
  localMs(worldMs: number): number {
    return this.anchorLocalMs + (worldMs - this.anchorWorldMs) * this.rate;
  }

  /**
   * Starts a fresh program instance (idle → running): builds it with the factory and runs it
   * with a new AbortSignal. `onEnd` hears how it ended, synchronously in the program's own
   * settlement, unless this instance crashed or was replaced before that (then nobody hears).
   */
  start(ports: HostPorts, onEnd: (outcome: HostOutcome) => void): void {
    this.expectState("start", ["idle"]);
    this.currentState = "running";
    const abort = new AbortController();
    this.abort = abort;
    const incarnation = this.currentIncarnation;
    const context: HostContext = { hostId: this.id, incarnation, clock: this.clock, random: ports.random, call: ports.call };
    const program = this.factory(context);
    program.run(abort.signal).then(
      () => {
        if (this.exit(incarnation)) onEnd({ ok: true });
      },
      (error: unknown) => {
        if (this.exit(incarnation)) onEnd({ ok: false, error });
      },
    );
  }

  // The program of `incarnation` ended; it counts unless that instance is gone.
  private exit(incarnation: number): boolean {
    if (incarnation !== this.currentIncarnation || this.currentState === "crashed") return false;
    this.currentState = "exited";
    return true;
  }

  /** Kills the host from any state: held events are dropped, and the new incarnation makes every pending event stale. */
  crash(): void {
    this.currentState = "crashed";
    this.currentIncarnation++;
    this.held = [];
  }

  /**
   * Makes the host ready for a fresh start (crashed or exited → idle); the world schedules the
   * start. After an exit the incarnation moves on here, as a crash moves it on at the crash.
   */
  restart(): void {
    this.expectState("restart", ["crashed", "exited"]);
    if (this.currentState === "exited") this.currentIncarnation++;
    this.currentState = "idle";
  }

  /** Stops the world for this host (running → paused): its due events are held, not run. */
  pause(): void {
    this.expectState("pause", ["running"]);
    this.currentState = "paused";
  }

  /** Ends a pause (paused → running) and hands back the held events, in the order they came due. */
  resume(): SimEvent[] {
    this.expectState("resume", ["paused"]);
    this.currentState = "running";
    const held = this.held;
    this.held = [];
    return held;
  }

  /** Keeps an event that came due while the host is paused, for `resume`. */
  hold(event: SimEvent): void {
    this.expectState("hold", ["paused"]);
    this.held.push(event);
  }

  /** Whether `event` belongs to the host's live instance (it may still be held by a pause). */
  isLive(event: SimEvent): boolean {
    return event.incarnation === this.currentIncarnation && this.currentState !== "crashed";
  }

  /** Fires the running instance's AbortSignal with `reason`, as Ctrl+C would; no-op before the first start. */
  stop(reason: unknown): void {
    this.abort?.abort(reason);
  }

  /**
   * Changes how fast the local clock runs from virtual time `worldMs` on; the local reading is
   * continuous across the change. `rate` must be a finite number > 0.
   */
  setClockRate(rate: number, worldMs: number): void {
    if (!(rate > 0 && Number.isFinite(rate))) {
      throw new WorldAssertionError({ operation: "setClockRate", expected: "a finite rate > 0", seen: String(rate), hostId: this.id });
    }
    this.anchorLocalMs = this.localMs(worldMs);
    this.anchorWorldMs = worldMs;
    this.rate = rate;
  }

  private expectState(operation: string, allowed: readonly HostState[]): void {
    if (allowed.includes(this.currentState)) return;
    throw new WorldAssertionError({ operation, expected: `a host that is ${allowed.join(" or ")}`, seen: this.currentState, hostId: this.id });
  }
}
