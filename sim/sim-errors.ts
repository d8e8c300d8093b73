import { LocksimError } from "../src/errors.js";

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

/** A worker's code threw or rejected outside of what it handles: a bug in that worker. */
export class HostCrashedError extends LocksimError {}

/** The network gave up waiting for a response: the request or the response was lost, or late. */
export class NetworkTimeoutError extends LocksimError {}

/** A call was refused at once because the caller's link is partitioned and fails fast. */
export class NetworkUnreachableError extends LocksimError {}
