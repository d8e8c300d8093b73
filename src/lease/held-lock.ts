import type { CommitResult } from "../ports/task-store.js";

/**
 * A lock a worker holds on one task, as a handle: everything needed to use the lock and to give it
 * back travels with it, so a worker keeps no table from handles to sessions (design.md §2, Workers).
 *
 * The job runner (src/workers/job-runner.ts) reads `token` and `stillHeld()` before the effect,
 * hands `signal` to the task body, and calls `release()` exactly once when it is done with the task.
 */
export interface HeldLock {
  /** Aborts when the holder notices it lost the lock (never, for a worker that does not check). */
  signal: AbortSignal;
  /**
   * Fencing token, for workers that have one: a number that grows with every new tenure of the key,
   * which the resource checks so that a stale holder's effect is refused (consul-semantics.md §7).
   */
  token?: number;
  /** Whether the holder still believes it holds the lock right now (e.g. local lease not expired). */
  stillHeld(): boolean;
  /**
   * Gives the lock back (release and/or destroy, per worker kind) and stops whatever keeps the lock
   * alive (renewals, monitors). Rejects when Consul refused or could not be reached; the job runner
   * logs that and moves on, and the session's TTL cleans up what was left.
   */
  release(): Promise<void>;
  /**
   * The effect, for a lock that guards it itself: e.g. a Consul transaction that first checks that
   * the session still holds the lock key (the txn-fenced worker). When present the job runner
   * calls it instead of `store.commit`.
   */
  commit?(): Promise<CommitResult>;
}
