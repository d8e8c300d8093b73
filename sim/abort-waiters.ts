import { AbortedError, withoutStack } from "../src/errors.js";
import { OrderedList, type ListNode } from "./ordered-list.js";

/**
 * One "abort" listener per AbortSignal, shared by every simulated sleep and network call that waits
 * on it. A host's timers and calls all watch the same few signals (the host's run signal, a task's
 * signal), and Node's EventTarget adds and removes a listener at a cost the simulator paid on
 * every sleep and every call. Here a wait joins or leaves an insertion-ordered list
 * (sim/ordered-list.ts); the signal carries one listener for its whole life. Waiters are told in
 * the order they joined, as EventTarget listeners are.
 */

/** Something waiting on a signal: told once, when the signal aborts while it still waits. */
export interface AbortWaiter {
  onAbort(): void;
}

const waitersOf = new WeakMap<AbortSignal, OrderedList<AbortWaiter>>();

/**
 * Makes `waiter` hear `signal`'s abort (the signal must not have aborted yet). Returns the
 * waiter's place, for `stopWaitingOnAbort`.
 */
export function waitOnAbort(signal: AbortSignal, waiter: AbortWaiter): ListNode<AbortWaiter> {
  let waiters = waitersOf.get(signal);
  if (waiters === undefined) {
    const list = new OrderedList<AbortWaiter>();
    waiters = list;
    waitersOf.set(signal, list);
    signal.addEventListener(
      "abort",
      () => {
        for (const w of list.clear()) w.onAbort();
      },
      { once: true },
    );
  }
  return waiters.add(waiter);
}

/** Stops a waiter hearing its signal (it settled another way): `place` is what waitOnAbort returned. */
export function stopWaitingOnAbort(place: ListNode<AbortWaiter>): void {
  place.list?.remove(place);
}

/**
 * The AbortedError a simulated sleep or call rejects with when its signal fires. Built without a
 * stack trace: a fenced or API-lock worker aborts several waits each time it lets a lock go, and
 * the capture was a few % of a sweep; the frames would show only the abort's dispatch anyway
 * (the signal's listeners), not the code that waited.
 */
export function abortedError(operation: string, reason: unknown): AbortedError {
  return withoutStack(() => new AbortedError(operation, reason));
}
