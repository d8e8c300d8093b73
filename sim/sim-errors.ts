import { ExpectedError, LocksimError } from "../src/errors.js";

/**
 * Code that the world drives called a real source of time, randomness or timers. The run fails:
 * such a call would make the trace depend on the machine instead of the seed.
 */
export class DeterminismError extends LocksimError {
  readonly call: string;

  constructor(options: { call: string; hostId?: string | undefined; atMs?: number }) {
    super(
      `determinism violated: ${options.call} was called inside the simulated world` +
        `${options.hostId ? ` by host ${options.hostId}` : ""}` +
        `${options.atMs !== undefined ? ` at t=${options.atMs}ms` : ""}; ` +
        "use the injected ports (env.clock, env.random) instead",
      options,
    );
    this.call = options.call;
  }
}

/**
 * The network gave up waiting for a response: the request or the response was lost, or late. An
 * outcome of faults, not a bug: an ExpectedError, built without a stack trace.
 */
export class NetworkTimeoutError extends ExpectedError {}

/**
 * The world was used in a way it does not allow: an event scheduled in the past, an unknown or
 * duplicate host, a lifecycle verb on a host in the wrong state (pausing one that is not running,
 * restarting one that is not crashed or exited), a clock rate that is not a positive number.
 * This is a bug in the code driving the world (a test, a fault plan), never in the worker under
 * test, so it is thrown at once instead of being recorded in the trace.
 */
export class WorldAssertionError extends LocksimError {
  /** The verb that was misused, e.g. "World.schedule" or "pause". */
  readonly operation: string;
  /** The host concerned, if any. */
  readonly hostId: string | undefined;

  constructor(options: { operation: string; expected: string; seen: string; hostId?: string | undefined; atMs?: number | undefined }) {
    super(
      `${options.operation}${options.hostId !== undefined ? ` (host "${options.hostId}")` : ""}: ` +
        `expected ${options.expected}, saw ${options.seen}`,
      options,
    );
    this.operation = options.operation;
    this.hostId = options.hostId;
  }
}

/**
 * The caller's connection failed on the transport, not by its own time-out: refused or reset by a
 * `reject` partition, or declared dead by TCP keep-alive after a `drop` partition kept it silent.
 * An outcome of faults, not a bug: an ExpectedError, built without a stack trace.
 */
export class NetworkConnectionError extends ExpectedError {}
