import { AbortedError, withoutStack } from "../src/errors.js";
import { getEventListeners } from "node:events";
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

/**
 * What the simulator knows of one signal: its waiters, and whether its abort has reached them.
 *
 * `signal.aborted` is dear in Node 20: each AbortSignal gets a map of its own (Node sets its
 * prototype after construction), so every read site goes megamorphic and the getter's own
 * `this[kAborted]` load too, about 230 instructions a read, a sleep and a call each paying one
 * (4.7% of the echo workload's instructions, callgrind). The watch answers instead: `heard` turns
 * true in its listener. That answer equals `signal.aborted` at every moment only if no listener
 * runs before the watch's (the flag flips before the abort event is dispatched, and a listener
 * dispatched earlier might sleep or call on the signal). So it is used only when the watch's
 * listener was the signal's first ("abort" listeners and `onabort` both count); otherwise, and
 * after an "abort" event dispatched by hand on a signal that has not aborted, the signal is asked.
 */
export class SignalWatch {
  /** The waiters, told in the order they joined. */
  readonly list = new OrderedList<AbortWaiter>();
  /** The abort event reached the watch's listener. */
  heard: boolean;
  /** `heard` is what `signal.aborted` would answer. */
  exact: boolean;

  constructor(signal: AbortSignal) {
    this.heard = signal.aborted;
    this.exact = this.heard || firstListener(signal);
    if (this.heard) return;
    signal.addEventListener(
      "abort",
      () => {
        this.heard = true;
        if (!signal.aborted) this.exact = false;
        for (const w of this.list.clear()) w.onAbort();
      },
      { once: true },
    );
  }
}

// Whether a listener added now would be the signal's first. A signal that is not Node's (a
// polyfill's) cannot be asked, and is then always asked for `aborted` instead.
function firstListener(signal: AbortSignal): boolean {
  try {
    return getEventListeners(signal, "abort").length === 0;
  } catch {
    return false;
  }
}

const watches = new WeakMap<AbortSignal, SignalWatch>();

/** The signal's watch, made (with its one listener) the first time the signal is waited on. */
export function watchOf(signal: AbortSignal): SignalWatch {
  let watch = watches.get(signal);
  if (watch === undefined) watches.set(signal, (watch = new SignalWatch(signal)));
  return watch;
}

/** Whether the watched signal has aborted: `signal.aborted`, answered cheaply when it can be. */
export function hasAborted(watch: SignalWatch, signal: AbortSignal): boolean {
  return watch.exact ? watch.heard : signal.aborted;
}

/**
 * Makes `waiter` hear `signal`'s abort (the signal must not have aborted yet). Returns the
 * waiter's place, for `stopWaitingOnAbort`.
 */
export function waitOnAbort(signal: AbortSignal, waiter: AbortWaiter): ListNode<AbortWaiter> {
  return watchOf(signal).list.add(waiter);
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
