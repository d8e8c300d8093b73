import type { Clock } from "../ports/clock.js";
import { AbortedError } from "../errors.js";

/**
 * The production Clock: `performance.now()` (monotonic, unaffected by wall-clock steps) and real
 * timers. This file is one of the few places allowed to touch real time (design.md §2, Ports).
 */
export const systemClock: Clock = {
  nowMs: () => performance.now(),
  sleepMs(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new AbortedError("sleepMs", signal.reason));
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(new AbortedError("sleepMs", signal?.reason));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
};

/** The production Random: `Math.random`. Only real runs use it; the simulator never does. */
export const systemRandom = { next: () => Math.random() };
