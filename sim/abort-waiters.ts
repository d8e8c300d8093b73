import { AbortedError } from "../src/errors.js";

/**
 * One "abort" listener per AbortSignal, shared by every simulated sleep and network call that waits
 * on it. A host's timers and calls all watch the same few signals (the host's run signal, a task's
 * signal), and Node's EventTarget adds and removes a listener at a cost the simulator paid on
 * every sleep and every call. Here a wait joins or leaves a Set; the signal carries one listener
 * for its whole life. Waiters are told in the order they joined, as EventTarget listeners are.
 */

/** Something waiting on a signal: told once, when the signal aborts while it still waits. */
export interface AbortWaiter {
  onAbort(): void;
}

const waitersOf = new WeakMap<AbortSignal, Set<AbortWaiter>>();

/** Makes `waiter` hear `signal`'s abort (the signal must not have aborted yet). */
export function waitOnAbort(signal: AbortSignal, waiter: AbortWaiter): void {
  let waiters = waitersOf.get(signal);
  if (waiters === undefined) {
    const set = new Set<AbortWaiter>();
    waiters = set;
    waitersOf.set(signal, set);
    signal.addEventListener(
      "abort",
      () => {
        const told = [...set];
        set.clear();
        for (const w of told) w.onAbort();
      },
      { once: true },
    );
  }
  waiters.add(waiter);
}

/** Stops `waiter` hearing `signal` (it settled another way). */
export function stopWaitingOnAbort(signal: AbortSignal, waiter: AbortWaiter): void {
  waitersOf.get(signal)?.delete(waiter);
}

/**
 * The AbortedError a simulated sleep or call rejects with when its signal fires. Built without a
 * stack trace: a fenced or API-lock worker aborts several waits each time it lets a lock go, and
 * the capture was a few % of a sweep; the frames would show only the abort's dispatch anyway
 * (the signal's listeners), not the code that waited.
 */
export function abortedError(operation: string, reason: unknown): AbortedError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new AbortedError(operation, reason);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
