import type { Clock } from "../src/ports/clock.js";
import type { Scheduler } from "./scheduler.js";
import type { SimEvent } from "./event-queue.js";
import type { ListNode } from "./ordered-list.js";
import { abortedError, hasAborted, stopWaitingOnAbort, watchOf, type AbortWaiter } from "./abort-waiters.js";

/** What a SimClock reads from its host: the id and incarnation that own its timers, and the host's drift. */
export interface DriftingHost {
  readonly id: string;
  /** The host's live incarnation: its timers belong to it (what `Scheduler.incarnationOf` would answer). */
  readonly incarnation: number;
  /** Local clock speed relative to virtual time: 1 = exact, 1.01 = runs 1% fast. */
  readonly clockRate: number;
  /** The host's local clock reading (ms) at virtual time `worldMs`. */
  localMs(worldMs: number): number;
}

/**
 * A host's Clock in the simulator: the world's virtual time as seen through the host's drift.
 * A sleep is an event owned by the host, so it is held while the host is paused and dropped when
 * the host crashes, as a real process's timers would be.
 */
export class SimClock implements Clock {
  constructor(
    private readonly scheduler: Scheduler,
    private readonly host: DriftingHost,
  ) {}

  /** The host's local time in ms: virtual time seen through its drift. */
  nowMs(): number {
    return this.host.localMs(this.scheduler.nowMs);
  }

  /** Resolves after `ms` of the host's local time; rejects with AbortedError if `signal` fires. */
  sleepMs(ms: number, signal?: AbortSignal): Promise<void> {
    const watch = signal === undefined ? undefined : watchOf(signal);
    if (watch !== undefined && hasAborted(watch, signal!)) return Promise.reject(abortedError("sleepMs", signal!.reason));
    // A drifting clock stretches or shrinks the host's timers in virtual time. Virtual time moves
    // in whole ms: rounding up makes every positive sleep advance the clock, so a loop that
    // sleeps "until the local deadline" cannot spin at one instant on floating-point crumbs.
    const delayMs = Math.ceil(Math.max(0, ms) / this.host.clockRate);
    const scheduler = this.scheduler;
    const hostId = this.host.id;
    // The incarnation is passed rather than looked up by the scheduler: one map lookup less per
    // timer, and every host event the echo workload schedules then has one options shape.
    const incarnation = this.host.incarnation;
    return new Promise<void>((resolve, reject) => {
      if (watch === undefined) {
        scheduler.schedule({ delayMs, hostId, incarnation, label: "timer", run: resolve });
        return;
      }
      const sleep = new Sleep(signal!, resolve, reject);
      sleep.event = scheduler.scheduleMethod({ delayMs, hostId, incarnation, label: "timer", target: sleep, run: onWake });
      sleep.place = watch.list.add(sleep);
    });
  }
}

/**
 * A sleep that its signal can cut short: its timer event runs `onWake` on it (SimEvent.target), and
 * its signal's abort `onAbort`. One object per sleep, where a waiter object, its method and the
 * timer's closure were three.
 */
class Sleep implements AbortWaiter {
  event: SimEvent | undefined = undefined;
  place: ListNode<AbortWaiter> | undefined = undefined;

  constructor(
    private readonly signal: AbortSignal,
    private readonly resolve: () => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  /** The timer fired: the sleep is over. */
  onWake(): void {
    stopWaitingOnAbort(this.place!);
    this.resolve();
  }

  onAbort(): void {
    this.event!.cancelled = true;
    this.reject(abortedError("sleepMs", this.signal.reason));
  }
}

const { onWake } = Sleep.prototype;
