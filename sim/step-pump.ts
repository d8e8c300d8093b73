import { leaveWorld, realTimers } from "./determinism-guard.js";

/**
 * The barrier between a world's steps, shared by every world in the thread. A step's event runs,
 * then every promise continuation it released runs, then the next step: Node runs the whole
 * microtask queue (where world code continues, however deep its chains) before the next
 * process.nextTick callback, so a nextTick barrier drains it as completely as a macrotask does
 * and costs about a third as much. The tick is queued from a microtask (a reaction of an
 * already-settled promise, queued after the event's own continuations), so it runs only once the
 * microtask queue is empty.
 *
 * Process-wide because of the determinism guard's step window (sim/determinism-guard.ts): a window
 * must hold one world's code only. Node runs every queued nextTick callback before the microtasks,
 * so two worlds that each queued their own tick would run both events and then both worlds'
 * continuations in one window. Here one barrier is outstanding at a time and each barrier runs
 * one world's turn, so worlds running concurrently in one thread take turns, step by step.
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

/** Calls `next` once every continuation released so far has run (see the module comment). */
export function afterDrain(next: () => void): void {
  ready.push(next);
  if (armed || pumping) return;
  armed = true;
  realTimers.setImmediate(pump);
}

function pump(): void {
  armed = false;
  leaveWorld();
  const next = ready.shift();
  const waiting = ready.length;
  pumping = true;
  try {
    next?.();
  } finally {
    pumping = false;
  }
  if (ready.length === 0) return;
  armed = true;
  // `next` queued its own next turn (a run goes on): a tick; otherwise, or every 1,024th turn, a macrotask.
  if (ready.length > waiting && (++turns & 1023) !== 0) settled.then(queueTick, undefined);
  else settled.then(queueYield, undefined);
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
