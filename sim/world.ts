import { beaconStep } from "./progress-beacon.js";
import { acquireGuard, leaveWorld, runInWorld, type GuardOwner } from "./determinism-guard.js";
import { watchRejections } from "./unhandled-rejections.js";
import { afterDrain } from "./step-pump.js";
import type { SimEvent } from "./event-queue.js";
import type { DeterminismError } from "./sim-errors.js";
import { stopBefore, type RunOptions, type RunResult } from "./run-bounds.js";
import { WorldCore, describeReason } from "./world-core.js";

export type { ScheduleMethodOptions, ScheduleOptions } from "./scheduler.js";

export type { RunOptions, RunResult, StopReason, WorldOptions } from "./run-bounds.js";

/**
 * The simulated world: one value that owns the virtual clock, the seeded PRNG, the event queue,
 * the network, the hosts and the trace (design.md §2, The world), with their verbs (WorldCore,
 * sim/world-core.ts), and runs its events. Nothing in it reads real time.
 *
 * `step` pops events in (time, seeded tie-break, insertion) order until one runs; then it lets
 * every promise continuation that the event released run to completion (the step barrier of
 * sim/step-pump.ts), so ordinary async/await code runs unmodified and deterministically. `run` takes
 * the same turns (one queued event, then the drain if it ran) with its stop conditions and
 * bounds checked before each queued event, so driving a world by hand with `step` and running it
 * execute the same events in the same order.
 */
export class World extends WorldCore implements GuardOwner {
  private violation: DeterminismError | undefined;
  private internalError: Error | undefined;

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
