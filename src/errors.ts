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
