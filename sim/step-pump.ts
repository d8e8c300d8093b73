import { leaveWorld, realTimers } from "./determinism-guard.js";

/**
 * The barrier between a world's steps, shared by every world in the thread. A step's event runs,
 * then every promise continuation it released runs, then the next step.
 *
 * How: while a run goes on, the pump drains in place after each turn (drainHere: Node's
 * runNextTicks, a microtask checkpoint run here and now, or Node's whole tick loop when world code
 * queued a process.nextTick callback), so everything the event released, however deep its chains
 * and ticks included, has run before the next turn. Where that function is missing, the barrier is
 * a process.nextTick callback queued from a microtask (a reaction of an already-settled promise,
 * queued after the event's own continuations): Node runs the whole microtask queue before the next
 * tick, so it drains the continuations as completely, but a tick that world code queues after the
 * reaction runs after the next event. The in-place drain costs about a sixth less per echo event
 * than the tick barrier (callgrind: 6,248 → 5,277 instructions), the tick barrier a third of a
 * macrotask.
 *
 * Process-wide because of the determinism guard's step window (sim/determinism-guard.ts): a window
 * must hold one world's code only. One pump runs the turns of every world in the thread, one turn
 * and its drain at a time, so worlds running concurrently in one thread take turns, step by step.
 *
 * A barrier is a real macrotask (setImmediate) instead when nothing continues the last turn (a
 * run ended, a hand-driven step returned: code outside the world resumes, and its own ticks must
 * not share the next window), when the pump starts, and every 1,024th turn, so that timers, I/O
 * and signal handlers outside the world (Ctrl+C, progress bars, the test runner) get their turn
 * during a long run. The window is closed before any of them runs.
 */

// Module state: the microtask and nextTick queues it orders are themselves process-wide.
const ready: (() => void)[] = [];
let armed = false;
let pumping = false;
let turns = 0;
const settled = Promise.resolve();
// Read once: `process` is an accessor on the global object and a dictionary-mode object, so
// `process.nextTick` at every turn went through two uncached lookups, about 4% of the echo
// workload's instructions (callgrind). nextTick does not use its receiver.
const nextTick = process.nextTick;

/**
 * Node's runNextTicks, which it still exposes as `process._tickCallback` (never documented;
 * deprecated in documentation only, DEP0134): with no tick queued it runs V8's microtask
 * checkpoint here and now, so every continuation released so far runs to completion, however deep
 * its chain; with ticks queued (world code called process.nextTick) it runs Node's whole tick loop,
 * ticks and microtasks until both queues are empty. Without it (a Node that drops it, or
 * --pending-deprecation, under which calling it warns), the pump uses the tick barrier.
 */
const drainHere = pickDrain();

/** How this process drains between turns: "in-place" (Node's runNextTicks) or "tick" (the nextTick barrier). For tests and diagnostics. */
export const drainMode: "in-place" | "tick" = drainHere ? "in-place" : "tick";

function pickDrain(): (() => void) | undefined {
  const tickCallback = (process as { _tickCallback?: unknown })._tickCallback;
  const pendingDeprecation =
    process.execArgv.includes("--pending-deprecation") || process.env.NODE_PENDING_DEPRECATION === "1" || (process.env.NODE_OPTIONS ?? "").includes("--pending-deprecation");
  return typeof tickCallback === "function" && !pendingDeprecation ? (tickCallback as () => void) : undefined;
}

/** Calls `next` once every continuation released so far has run (see the module comment). */
export function afterDrain(next: () => void): void {
  ready.push(next);
  if (armed || pumping) return;
  armed = true;
  realTimers.setImmediate(pump);
}

// Runs turns while each queues the next one, draining between them (drainHere), until a turn
// queues none, every 1,024th turn, or the drain is not available: then it arms the barrier.
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
      // `next` queued its own next turn (a run goes on): drain here, or a tick; otherwise, or every 1,024th turn, a macrotask.
      const goesOn = ready.length > waiting && (++turns & 1023) !== 0;
      if (goesOn && drainHere) {
        drainOrArm(drainHere);
        continue;
      }
      armed = true;
      settled.then(goesOn ? queueTick : queueYield, undefined);
      return;
    }
  } finally {
    pumping = false;
  }
}

// If the drain throws (Node's tick loop reports an unhandled rejection by throwing), the queued
// turns must not be stranded: the tick barrier takes over before the error goes on.
function drainOrArm(drain: () => void): void {
  try {
    drain();
  } catch (error) {
    armed = true;
    settled.then(queueTick, undefined);
    throw error;
  }
}

function queueTick(): void {
  nextTick(pump);
}

function queueYield(): void {
  nextTick(yieldTurn);
}

function yieldTurn(): void {
  leaveWorld();
  realTimers.setImmediate(pump);
}
