/**
 * Where tasks come from and where their effect lands (design.md §2, Ports). `commit` is the
 * effect: the thing that must happen at most once per task (an email sent, a row written).
 */

/** A unit of work. `durationMs` is how long its body runs. */
export interface TaskSpec {
  id: string;
  durationMs: number;
}

/** Who commits, and with which fencing token (absent for workers that have none). */
export interface CommitRequest {
  workerId: string;
  token?: number | undefined;
}

/** Whether a commit took effect, and if not, why. */
export interface CommitResult {
  accepted: boolean;
  /**
   * stale-token: lower than a token the store has seen; duplicate-token: this token already took
   * effect; missing-token: a fenced store needs one; refused-by-consul: the effect was a Consul
   * transaction and Consul refused it (its session no longer held the lock).
   */
  reason?: "stale-token" | "duplicate-token" | "missing-token" | "refused-by-consul";
}

/** What a worker may do before running a fenced task. */
export interface ClaimResult {
  /** Run the task: it is still pending and no newer token has been seen. */
  proceed: boolean;
  reason?: "committed" | "stale-token";
}

/** The task store port. */
export interface TaskStore {
  /** Tasks whose effect has not been committed yet. */
  listPending(): Promise<TaskSpec[]>;
  /** Whether the task's effect has been committed. */
  isCommitted(taskId: string): Promise<boolean>;
  /**
   * Presents a fencing token before running the task (Kleppmann's "every write carries the
   * token"): the store remembers the highest token seen, so an older holder's commit will be
   * rejected from now on. Answers whether the task is still worth running.
   */
  claim(taskId: string, token: number, workerId?: string): Promise<ClaimResult>;
  /** The effect. A fenced store rejects a missing token and one lower than the highest it has seen. */
  commit(taskId: string, request: CommitRequest): Promise<CommitResult>;
}
