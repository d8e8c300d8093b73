import { InputError, LocksimError } from "../src/errors.js";
import { ConsulProviderError } from "../replay/consul-provider.js";
import { DeterminismError } from "../sim/sim-errors.js";
import { NondeterminismError } from "../sim/scenario/check-determinism.js";

/**
 * locksim's exit codes (README, "Exit codes"):
 * - 0: every check met its expectation (or, for `check`, no safety check was violated);
 * - 1: a check was violated, or a verdict or trace hash mismatched its expectation;
 * - 2: bad input (a file, a field, a flag, an address, a token Consul refuses);
 * - 3: the worker under test failed: it threw, exited, was nondeterministic or never yielded;
 * - 4: an internal error in locksim;
 * - 130 / 143: stopped by SIGINT / SIGTERM, after cleaning up.
 */
export const exitCodes = { met: 0, failed: 1, badInput: 2, workerFailed: 3, internal: 4, sigint: 130, sigterm: 143 } as const;

/** The worker under test failed in a way that is its own fault, not a verdict. */
export class WorkerFailedError extends LocksimError {}

/** The exit code and the one-line kind of an error thrown by a command. */
export function classify(error: unknown): { code: number; kind: string } {
  const fromThread = error as { answer?: { code: number; kind: string } };
  if (error instanceof LocksimError && fromThread.answer) return { code: fromThread.answer.code, kind: fromThread.answer.kind };
  // No Consul to be had is the environment's answer to what was asked: bad input, not a bug.
  if (error instanceof InputError || error instanceof ConsulProviderError) return { code: exitCodes.badInput, kind: "bad input" };
  if (error instanceof DeterminismError || error instanceof NondeterminismError || error instanceof WorkerFailedError) return { code: exitCodes.workerFailed, kind: "the worker under test failed" };
  return { code: exitCodes.internal, kind: "internal error" };
}

/** The message of an error, safe against huge or cyclic inputs (the formatter must never throw). */
export function describeError(error: unknown, withStack: boolean): string {
  try {
    if (error instanceof Error) return withStack && error.stack ? error.stack : error.message;
    return String(error).slice(0, 2_000);
  } catch {
    return "(an error that cannot be printed)";
  }
}
