import type { Clock } from "../src/ports/clock.js";
import type { Random } from "../src/ports/random.js";
import type { SimEvent } from "./event-queue.js";
import type { World } from "./world.js";
import type { NetworkCallOptions } from "./network.js";
import { SimClock } from "./sim-clock.js";

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

/**
 * A simulated machine. The world drives its state; the host only remembers what the world needs:
 * its incarnation (to make a crashed instance's events stale), its held events while paused and
 * the rate of its local clock (clock drift).
 */
export class Host {
  readonly id: string;
  readonly factory: HostFactory;
  state: HostState = "idle";
  incarnation = 0;
  /** Events that came due while the host was paused, in the order they came due. */
  held: SimEvent[] = [];
  /** Local clock speed relative to virtual time: 1 = exact, 1.01 = runs 1% fast. */
  clockRate = 1;
  /** Local time = clockAnchorLocalMs + (worldMs − clockAnchorWorldMs) × clockRate. */
  clockAnchorWorldMs = 0;
  clockAnchorLocalMs = 0;
  abort: AbortController | undefined;
  readonly clock: SimClock;

  constructor(options: { id: string; factory: HostFactory; world: World }) {
    this.id = options.id;
    this.factory = options.factory;
    this.clock = new SimClock(options.world, this);
  }

  /** This host's local clock reading at virtual time `worldMs`. */
  localMs(worldMs: number): number {
    return this.clockAnchorLocalMs + (worldMs - this.clockAnchorWorldMs) * this.clockRate;
  }
}
