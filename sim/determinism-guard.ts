import { createRequire, syncBuiltinESMExports } from "node:module";
import { DeterminismError } from "./sim-errors.js";

/**
 * The runtime half of the determinism rule (the lint rule is the static half): while a world runs
 * code, every call from that code to a real clock, real randomness or a real timer throws a
 * DeterminismError naming the call, and the world fails the run even if the caller swallows it.
 *
 * Which code is "the world's" is decided by the world's step window: the world runs each event
 * inside `runInWorld`, which makes it the guard's owner, and stays the owner while the promise
 * continuations that event released run, until its drain barrier calls `leaveWorld`. That window
 * holds world code only: a step starts from an empty microtask queue (the pump drains it in place
 * or ends the turn with a macrotask: sim/step-pump.ts), so every continuation that runs in it was
 * released by the event. Code that is not the world's, such as the test runner's own timers firing
 * between two steps, runs outside every window and sees the real functions. That is why the patch is
 * process-wide but the check is per call.
 *
 * An AsyncLocalStorage context did this before; on Node 20 it turns on promise hooks for every
 * promise in the process, which cost about a tenth of the simulator's time. What the window does
 * not see is world code that escaped into a real macrotask (a callback of real I/O started inside
 * the world); such code makes the run's trace depend on real timing, which `--check-determinism`
 * (two runs of one seed, compared record by record) reports.
 */

/** What the guard reports a violation to: the world that is running the offending code. */
export interface GuardOwner {
  onDeterminismViolation(error: DeterminismError): void;
  /** A promise that the owner's code rejected and left without a handler past its event's drain. */
  onUnhandledRejection(reason: unknown): void;
}

// Module state is unavoidable here: the globals being patched are themselves process-wide.
/** The world whose step window is open, if any. */
let owner: GuardOwner | undefined;
let installs = 0;
let restore: (() => void) | undefined;
let permanent = false;

/** The real functions, captured before any patch: for the world's own loop and real adapters. */
export const realTimers = {
  setImmediate: globalThis.setImmediate,
  setTimeout: globalThis.setTimeout,
  clearTimeout: globalThis.clearTimeout,
};

/**
 * Runs `fn` (with `self` as `this`) as world code and opens `world`'s step window: guarded calls
 * inside `fn`, and in the continuations it releases, throw, until `leaveWorld` closes the window.
 */
export function runInWorld<T, S = undefined>(world: GuardOwner, fn: (this: S) => T, self?: S): T {
  owner = world;
  return fn.call(self as S);
}

/** Closes the step window: the world's drain barrier calls it once the event's continuations have run. */
export function leaveWorld(): void {
  owner = undefined;
}

/** The world whose step window is open, if any: a rejection Node reports now is its (sim/unhandled-rejections.ts). */
export function windowOwner(): GuardOwner | undefined {
  return owner;
}

function check(call: string): void {
  const world = owner;
  if (world === undefined) return;
  const error = new DeterminismError({ call });
  world.onDeterminismViolation(error);
  throw error;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => any;

function guarded<F extends AnyFn>(call: string, original: F): F {
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    check(call);
    return original.apply(this, args);
  };
  // Keep attached properties such as util.promisify.custom on timer functions.
  for (const key of Reflect.ownKeys(original)) {
    if (key === "length" || key === "name" || key === "prototype") continue;
    const d = Object.getOwnPropertyDescriptor(original, key);
    if (d) Object.defineProperty(wrapper, key, d);
  }
  return wrapper as unknown as F;
}

function patch<T extends object, K extends keyof T>(target: T, key: K, value: T[K], undo: (() => void)[]): void {
  const original = target[key];
  Object.defineProperty(target, key, { value, configurable: true, writable: true });
  undo.push(() => Object.defineProperty(target, key, { value: original, configurable: true, writable: true }));
}

/** Wraps each named function of `target` (a module object or a global) in the guard. */
function patchAll(target: Record<string, unknown>, prefix: string, names: string[], undo: (() => void)[]): void {
  for (const name of names) {
    const d = Object.getOwnPropertyDescriptor(target, name);
    // Getters (node:crypto's getRandomValues returns webcrypto's, patched on globalThis.crypto) stay.
    if (!d || !d.configurable || !("value" in d) || typeof d.value !== "function") continue;
    const original = d.value as unknown;
    patch(target, name, guarded(`${prefix}${name}`, (original as AnyFn).bind(target)), undo);
  }
}

/**
 * node:crypto's random functions. Named ESM imports of a builtin (`import { randomUUID } from
 * "node:crypto"`) are bindings to the builtin's exports object, refreshed by syncBuiltinESMExports,
 * so patching the module object reaches them too.
 */
function patchNodeCrypto(undo: (() => void)[]): void {
  const nodeCrypto = createRequire(import.meta.url)("node:crypto") as Record<string, unknown>;
  patchAll(nodeCrypto, "crypto.", ["randomUUID", "randomInt", "randomBytes", "randomFillSync", "randomFill"], undo);
  syncBuiltinESMExports();
  undo.push(() => syncBuiltinESMExports());
}

/** Clocks that are properties rather than calls: `performance.timeOrigin`, `process.uptime()`. */
function patchClockProperties(undo: (() => void)[]): void {
  const origin = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(performance), "timeOrigin");
  if (origin?.get) {
    const get = origin.get;
    Object.defineProperty(performance, "timeOrigin", {
      configurable: true,
      get() {
        check("performance.timeOrigin");
        return get.call(performance) as number;
      },
    });
    undo.push(() => delete (performance as unknown as Record<string, unknown>).timeOrigin);
  }
  patchAll(process as unknown as Record<string, unknown>, "process.", ["uptime"], undo);
}

function install(): () => void {
  const undo: (() => void)[] = [];
  const g = globalThis as unknown as Record<string, AnyFn>;
  for (const name of ["setTimeout", "setInterval", "setImmediate"]) {
    patch(g, name, guarded(name, g[name]!), undo);
  }
  // I/O leaves the world: name it (otherwise the first thing undici does, performance.now, is blamed).
  if (typeof g.fetch === "function") patch(g, "fetch", guarded("fetch", g.fetch), undo);
  patch(Math, "random", guarded("Math.random", Math.random), undo);
  // A worker that exits the process would end locksim with the worker's exit code and no report.
  patch(process, "exit", guarded("process.exit", process.exit) as typeof process.exit, undo);
  patch(performance, "now", guarded("performance.now", performance.now.bind(performance)), undo);
  const hrtime = process.hrtime;
  const guardedHrtime = guarded("process.hrtime", hrtime) as typeof process.hrtime;
  guardedHrtime.bigint = guarded("process.hrtime.bigint", hrtime.bigint);
  patch(process, "hrtime", guardedHrtime, undo);
  const webCrypto = globalThis.crypto;
  patch(webCrypto, "randomUUID", guarded("crypto.randomUUID", webCrypto.randomUUID.bind(webCrypto)), undo);
  patch(webCrypto, "getRandomValues", guarded("crypto.getRandomValues", webCrypto.getRandomValues.bind(webCrypto)), undo);
  patchNodeCrypto(undo);
  patchClockProperties(undo);
  patchDate(undo);
  return () => {
    for (const u of undo.reverse()) u();
  };
}

function patchDate(undo: (() => void)[]): void {
  const RealDate = Date;
  const guardedNow = guarded("Date.now", RealDate.now);
  const DateProxy = new Proxy(RealDate, {
    construct(target, args, newTarget) {
      if (args.length === 0) check("new Date()");
      return Reflect.construct(target, args, newTarget) as object;
    },
    apply(target, thisArg, args) {
      check("Date()");
      return Reflect.apply(target, thisArg, args) as unknown;
    },
    get(target, prop, receiver) {
      if (prop === "now") return guardedNow;
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  patch(globalThis as unknown as { Date: DateConstructor }, "Date", DateProxy, undo);
}

/**
 * Patches the globals (reference-counted: nested worlds share one patch). Returns the function that
 * removes this holder's claim; the last one to leave restores the real globals.
 */
export function acquireGuard(): () => void {
  if (installs === 0 && !restore) restore = install();
  installs++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    installs--;
    // The patch stays installed (see installGuardForGood): code that saved `Date.now` or
    // `setTimeout` in a variable after locksim loaded holds the guarded function, and must
    // keep holding it for the next run.
    if (installs === 0 && !permanent) {
      restore?.();
      restore = undefined;
    }
  };
}

/**
 * Installs the patch now and for good. A worker module loaded after this (the CLI, the sweep
 * threads and the test-runner API load locksim first) that saves `const now = Date.now` or
 * `const t = setTimeout` at import time then holds the guarded function, so the saved reference is
 * caught too. Outside world code the guarded functions behave exactly as the real ones.
 */
export function installGuardForGood(): void {
  permanent = true;
  if (!restore) restore = install();
}

installGuardForGood();
