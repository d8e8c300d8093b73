import { windowOwner } from "./determinism-guard.js";

/**
 * Promise rejections that world code leaves unhandled. Node looks for them when its tick loop
 * ends, which the step pump makes happen inside the event's step window (sim/step-pump.ts), and
 * by default it then ends the process (`--unhandled-rejections=throw`, the default since Node 15).
 * In a locksim process that would end the whole run or sweep with Node's exit code and no report;
 * so while a world runs, a listener hands each such rejection to the world whose window it came
 * from, and the world treats it as production would: the host's process dies (sim/world.ts).
 *
 * A rejection that is not the world's (code outside every step window) is answered as if this
 * listener were not there:
 * - With other listeners (a test runner's), it steps aside for the rest of that report: it runs
 *   first (prepended) and takes itself off the list before they run, because a runner's listener
 *   may leave a rejection alone when it sees another listener (vitest's does), and each would
 *   leave it to the other. It is put back on the next tick.
 * - Alone, it does what Node would: throws the rejection as an uncaught exception, or under
 *   `--unhandled-rejections=warn-with-error-code` warns and sets exit code 1 (under "warn" Node
 *   warns after the listeners anyway, and under "none" there is nothing to do).
 * Under `--unhandled-rejections=strict` Node throws before asking any listener, so there even a
 * world's rejection ends the process, as it would in production.
 */

// Module state: the process's listeners are process-wide. Reference-counted, like the guard.
let holders = 0;
let attached = false;

/** Node's --unhandled-rejections mode, read once: the last flag given wins, as in Node's option parser. */
const rejectionsMode = ((): string => {
  const flags = [...(process.env.NODE_OPTIONS ?? "").split(/\s+/), ...process.execArgv];
  let mode = "throw";
  flags.forEach((f, i) => {
    if (f.startsWith("--unhandled-rejections=")) mode = f.slice("--unhandled-rejections=".length);
    else if (f === "--unhandled-rejections" && flags[i + 1]) mode = flags[i + 1]!;
  });
  return mode;
})();

/** Whether a rejection Node reports now is a world's, taken by its world (for other listeners, which then leave it). */
export function isWorldRejection(): boolean {
  return holders > 0 && windowOwner() !== undefined;
}

/** Listens while at least one world runs. Returns the function that ends this holder's claim. */
export function watchRejections(): () => void {
  if (holders++ === 0) attach();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders === 0) detach();
  };
}

function attach(): void {
  if (attached) return;
  attached = true;
  process.prependListener("unhandledRejection", onUnhandled);
}

function detach(): void {
  if (!attached) return;
  attached = false;
  process.off("unhandledRejection", onUnhandled);
}

function onUnhandled(reason: unknown): void {
  const world = windowOwner();
  if (world !== undefined) return world.onUnhandledRejection(reason);
  if (process.listenerCount("unhandledRejection") > 1) {
    // Node's emit calls the listeners it found; taken off now, this one is not counted by them.
    detach();
    process.nextTick(reattach);
    return;
  }
  if (rejectionsMode === "throw") throw reason instanceof Error ? reason : new Error(`unhandled promise rejection: ${String(reason)}`);
  if (rejectionsMode === "warn-with-error-code") {
    // Node warns and sets the code only when no listener handled it: here one did.
    process.emitWarning(`unhandled promise rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
    process.exitCode = 1;
  }
}

function reattach(): void {
  if (holders > 0) attach();
}
