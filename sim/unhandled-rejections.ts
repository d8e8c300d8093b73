import { windowOwner } from "./determinism-guard.js";

/**
 * Promise rejections that world code leaves unhandled. Node looks for them when its tick loop
 * ends, which the step pump makes happen inside the event's step window (sim/step-pump.ts), and
 * by default it then ends the process (`--unhandled-rejections=throw`, the default since Node 15).
 * In a locksim process that would end the whole run or sweep with Node's exit code and no report;
 * so while a world runs, a listener hands each such rejection to the world whose window it came
 * from, and the world treats it as production would: the host's process dies (sim/world.ts).
 *
 * A rejection that is not the world's (code outside every step window) is answered as Node would
 * have answered it without this listener: left to the other listeners if there are any (a test
 * runner's), otherwise thrown as an uncaught exception, or under `--unhandled-rejections=
 * warn-with-error-code` warned about with exit code 1.
 */

// Module state: the process's listeners are process-wide. Reference-counted, like the guard.
let holders = 0;

/** Whether a rejection Node reports now is a world's, taken by its world (for other listeners, which then leave it). */
export function isWorldRejection(): boolean {
  return holders > 0 && windowOwner() !== undefined;
}

/** Listens while at least one world runs. Returns the function that ends this holder's claim. */
export function watchRejections(): () => void {
  if (holders++ === 0) process.on("unhandledRejection", onUnhandled);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders === 0) process.off("unhandledRejection", onUnhandled);
  };
}

function onUnhandled(reason: unknown): void {
  const world = windowOwner();
  if (world !== undefined) return world.onUnhandledRejection(reason);
  if (process.listenerCount("unhandledRejection") > 1) return;
  const mode = rejectionsMode();
  if (mode === "throw") throw reason instanceof Error ? reason : new Error(`unhandled promise rejection: ${String(reason)}`);
  if (mode === "warn-with-error-code") {
    process.emitWarning(`unhandled promise rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
    process.exitCode = 1;
  }
  // "warn": Node has warned already; "none": nothing; "strict": Node threw before asking listeners.
}

// Node's mode, from its flag (the last one given wins, as in Node's option parser).
function rejectionsMode(): string {
  const flags = [...(process.env.NODE_OPTIONS ?? "").split(/\s+/), ...process.execArgv];
  let mode = "throw";
  for (const f of flags) {
    const m = /^--unhandled-rejections=(\S+)$/.exec(f);
    if (m) mode = m[1]!;
  }
  return mode;
}
