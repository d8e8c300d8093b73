import { leaveWorld, realTimers } from "./determinism-guard.js";

/**
 * The barrier between a world's steps, shared by every world in the thread. A step's event runs,
 * then everything it released runs (promise continuations however deep their chains, and
 * process.nextTick callbacks that world code queued), then the next step.
 *
 * How: while a run goes on, the pump drains in place after each turn (drainHere: Node's
 * runNextTicks, which runs V8's microtask checkpoint here and now, or Node's whole tick loop when a
 * tick is queued or a rejection is waiting to be reported). Where that function is not Node's own,
 * every turn ends with a macrotask instead (a setImmediate queued once the event's continuations
 * have run): slower, but world code runs in the same order, so a seed gives the same trace in both
 * modes. The in-place drain cut a warm echo event from 6,248 to 5,277 instructions (callgrind)
 * against the promise-reaction-and-nextTick barrier it replaced, which let a tick queued late by
 * world code run after the next event.
 *
 * Unhandled rejections: Node looks for them when its tick loop ends, so a promise that world
 * code rejects and leaves without a handler past the end of its event's drain is reported then,
 * as Node would report it at the end of a macrotask in production, and the world takes it as its
 * host's failure (sim/unhandled-rejections.ts). In both modes that happens inside the turn's
 * window: the macrotask barrier leaves the window open to the end of its tick loop, and an
 * immediate queued right behind the pump closes it (armPump). Under the earlier barrier the tick
 * loop rarely ended mid-run, and such a promise went unreported if a later event, up to 1,024
 * turns on, handled it.
 *
 * Process-wide because of the determinism guard's step window (sim/determinism-guard.ts): a window
 * must hold one world's code only. One pump runs the turns of every world in the thread, one turn
 * and its drain at a time, so worlds running concurrently in one thread take turns, step by step.
 * Node's process listeners that a drain triggers ("unhandledRejection") run inside the window.
 *
 * A macrotask (setImmediate) also ends the pump when nothing continues the last turn (a run ended,
 * a hand-driven step returned: code outside the world resumes, and its own ticks must not share
 * the next window), and every 1,024th turn, so that timers, I/O and signal handlers outside the
 * world (Ctrl+C, progress bars, the test runner) get their turn during a long run. The window is
 * closed before any of them runs.
 */

// Module state: the microtask and nextTick queues it orders are themselves process-wide.
const ready: (() => void)[] = [];
let armed = false;
let pumping = false;
let turns = 0;
const settled = Promise.resolve();
// Read once: `process` is an accessor on the global object and a dictionary-mode object, so
// reading `process.nextTick` went through two uncached lookups (about 4% of the echo workload's
// instructions when the barrier used it at every turn; callgrind). nextTick does not use its receiver.
const nextTick = process.nextTick;

// An exception that escapes a tick loop between a pump and its closer (a world's nextTick that
// throws) leaves the closer queued past the timers and I/O that come next; if the process lives
// on (a test runner's uncaughtException handler), the window must not stay open for them.
process.on("uncaughtExceptionMonitor", () => leaveWorld());

/**
 * Node's runNextTicks, which it still exposes as `process._tickCallback` (never documented;
 * deprecated in documentation only, DEP0134): with no tick queued and no rejection to report it
 * runs V8's microtask checkpoint here and now, so every continuation released so far runs to
 * completion, however deep its chain; otherwise it runs Node's whole tick loop, ticks and
 * microtasks until both queues are empty, then reports unhandled rejections. Without it (a Node
 * that drops it, or --pending-deprecation, under which calling it warns) every turn ends with a
 * macrotask.
 */
const drainHere = pickDrain();

/** How this process drains between turns: "in-place" (Node's runNextTicks) or "macrotask" (a setImmediate per turn). For tests and diagnostics. */
export const drainMode: "in-place" | "macrotask" = drainHere ? "in-place" : "macrotask";

// Only Node's own function: under --pending-deprecation (any spelling, or the environment
// variable) Node wraps it in a function named "deprecated" that warns on its first call.
function pickDrain(): (() => void) | undefined {
  const tickCallback = (process as { _tickCallback?: unknown })._tickCallback;
  return typeof tickCallback === "function" && tickCallback.name === "runNextTicks" ? (tickCallback as () => void) : undefined;
}

/** Calls `next` once every continuation released so far has run (see the module comment). */
export function afterDrain(next: () => void): void {
  ready.push(next);
  if (armed || pumping) return;
  armed = true;
  armPump();
}

// Runs turns while each queues the next one (a run goes on), draining in place after each, until a
// turn queues none or every 1,024th turn: then a macrotask. Without the in-place drain every turn
// ends with the macrotask barrier.
function pump(): void {
  armed = false;
  pumping = true;
  try {
    for (;;) {
      leaveWorld();
      const next = ready.shift();
      const waiting = ready.length;
      next?.();
      if (ready.length === 0) return;
      if (ready.length > waiting && drainHere) {
        drainOrYield(drainHere);
        if ((++turns & 1023) !== 0) continue;
        // Timers, I/O and signal handlers outside the world get their turn, with the window closed.
        leaveWorld();
        armed = true;
        armPump();
        return;
      }
      armed = true;
      settled.then(queueYield, undefined);
      return;
    }
  } finally {
    pumping = false;
  }
}

// What escapes the drain is an exception thrown by a process.nextTick callback or by a process
// listener (an "unhandledRejection" one that rethrows): it goes on to Node as an uncaught
// exception, as it would have from Node's own tick loop, with the window closed and the queued
// turns left to the macrotask barrier instead of stranded.
function drainOrYield(drain: () => void): void {
  try {
    drain();
  } catch (error) {
    leaveWorld();
    armed = true;
    settled.then(queueYield, undefined);
    throw error;
  }
}

function queueYield(): void {
  nextTick(yieldTurn);
}

// The macrotask barrier. The window stays open through the rest of this tick loop, where only the
// turn's own code runs and Node then reports the turn's unhandled rejections: they are the
// world's. The closer queued behind this pump shuts it before any other macrotask.
function yieldTurn(): void {
  armPump();
}

// Queues the pump, and right behind it the closer: Node runs both in the same check phase, the
// tick loop of the pump's turn in between, so nothing else runs while the turn's window is open.
function armPump(): void {
  realTimers.setImmediate(pump);
  realTimers.setImmediate(leaveWorld);
}
