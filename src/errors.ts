/**
 * Typed errors shared by every part of locksim. Each carries a `context` object with the values a
 * reader needs to understand the failure (ids, times, statuses), so messages stay short and the
 * details stay machine-readable.
 */

/** Base of every error locksim raises on purpose. `context` holds the facts behind the message. */
export class LocksimError extends Error {
  /** Facts behind the message: ids, times in ms, statuses. */
  readonly context: Record<string, unknown>;

  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.context = context;
  }
}

/**
 * Builds the error `build` returns without capturing a stack trace. Only for *expected* errors,
 * the ones every fault path raises (a call that timed out or was refused, a rate-limited 429/503,
 * a 500 while the leader is gone): a simulated run raises them by the thousand in a sweep, their
 * frames show only the simulator's dispatch, and the capture was a measurable share of a run.
 * Errors that mean a bug keep their stacks: never wrap those.
 */
export function withoutStack<E extends Error>(build: () => E): E {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return build();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * Base of errors that are always *expected*: answers and fault outcomes (a model refusal answered
 * as 500, a simulated call that timed out or was refused), never bugs. Built without a stack trace,
 * as withoutStack does it: the simulator raises them on every fault path, and the frames would show
 * only its own dispatch.
 */
export class ExpectedError extends LocksimError {
  constructor(message: string, context?: Record<string, unknown>) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(message, context);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}

/**
 * Consul answered with a non-2xx status. `status` and `body` are Consul's own, unchanged
 * (consul-semantics.md §0: server-side validation errors are HTTP 500 with the Go error text).
 */
export class ConsulHttpError extends LocksimError {
  readonly status: number;
  readonly body: string;

  constructor(options: { status: number; body: string; operation: string }) {
    super(`${options.operation}: Consul answered ${options.status}: ${options.body.trim()}`, options);
    this.status = options.status;
    this.body = options.body;
  }
}

/**
 * Consul could not be reached, or did not answer before the caller's time-out. The request may or
 * may not have been applied: a lost response looks exactly like a lost request to the caller.
 */
export class ConsulUnavailableError extends LocksimError {
  readonly operation: string;

  constructor(options: { operation: string; reason: string; timeoutMs?: number }) {
    super(`${options.operation}: Consul unavailable: ${options.reason}`, options);
    this.operation = options.operation;
  }
}

/** The worker's session is gone (renew answered 404, or the session was invalidated). */
export class SessionInvalidatedError extends LocksimError {}

/** The worker saw that it no longer holds the lock it believed it held. */
export class LockLostError extends LocksimError {}

/** The worker's local lease deadline passed before a renewal confirmed it. */
export class LeaseExpiredError extends LocksimError {}

/** An operation was cancelled through its AbortSignal. */
export class AbortedError extends LocksimError {
  constructor(what: string, reason?: unknown) {
    super(`${what}: aborted${reason instanceof Error ? ` (${reason.message})` : ""}`, { what });
  }
}

/** Bad input from a user: a file, a flag, an option. `exitCode` 2 by convention of the CLI. */
export class InputError extends LocksimError {
  readonly exitCode = 2;
}
