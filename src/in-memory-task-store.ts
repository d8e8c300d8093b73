import type { TraceEvent } from "./trace-events.js";
import type { ClaimResult, CommitRequest, CommitResult, TaskSpec, TaskStore } from "./ports/task-store.js";

/** One commit attempt, as the store saw it. */
export interface CommitRecord {
  taskId: string;
  workerId: string;
  token: number | undefined;
  accepted: boolean;
  reason: CommitResult["reason"];
}

/** Options of the in-memory store. */
export interface InMemoryTaskStoreOptions {
  tasks: TaskSpec[];
  /** Reject commits without a token, or with one lower than the highest seen. Default false. */
  fenced?: boolean;
  /** Called on every claim and commit, for the trace (the simulator records these). */
  onEvent?: (event: Extract<TraceEvent, { kind: "store.claim" | "store.commit" }>) => void;
}

/**
 * The TaskStore of tests and the simulator: tasks in memory, every commit attempt recorded.
 * Unfenced, every commit takes effect (a second commit of a task is a second effect, which is what
 * the at-most-once checker looks for). Fenced, it behaves like a resource that checks fencing
 * tokens: a token lower than the highest seen, or one that already took effect, is rejected.
 */
export class InMemoryTaskStore implements TaskStore {
  readonly tasks: readonly TaskSpec[];
  readonly fenced: boolean;
  /** Every commit attempt, in order. */
  readonly attempts: CommitRecord[] = [];
  private readonly highestToken = new Map<string, number>();
  private readonly effects = new Map<string, number>();
  private readonly onEvent: InMemoryTaskStoreOptions["onEvent"];

  constructor(options: InMemoryTaskStoreOptions) {
    this.tasks = options.tasks.map((t) => ({ ...t }));
    this.fenced = options.fenced ?? false;
    this.onEvent = options.onEvent;
    const ids = new Set<string>();
    for (const t of this.tasks) {
      if (ids.has(t.id)) throw new Error(`InMemoryTaskStore: task id "${t.id}" appears twice`);
      ids.add(t.id);
    }
  }

  /** How many times each task's effect took place. */
  effectCounts(): Map<string, number> {
    return new Map(this.tasks.map((t) => [t.id, this.effects.get(t.id) ?? 0]));
  }

  async listPending(): Promise<TaskSpec[]> {
    return this.tasks.filter((t) => !this.effects.has(t.id)).map((t) => ({ ...t }));
  }

  async isCommitted(taskId: string): Promise<boolean> {
    return this.effects.has(taskId);
  }

  async claim(taskId: string, token: number): Promise<ClaimResult> {
    const highest = this.highestToken.get(taskId);
    let result: ClaimResult;
    if (highest !== undefined && token < highest) result = { proceed: false, reason: "stale-token" };
    else if (this.effects.has(taskId)) result = { proceed: false, reason: "committed" };
    else result = { proceed: true };
    if (highest === undefined || token > highest) this.highestToken.set(taskId, token);
    this.onEvent?.({ kind: "store.claim", data: { task: taskId, token, ...result } });
    return result;
  }

  async commit(taskId: string, request: CommitRequest): Promise<CommitResult> {
    const result = this.decide(taskId, request.token);
    if (result.accepted) {
      this.effects.set(taskId, (this.effects.get(taskId) ?? 0) + 1);
      if (request.token !== undefined) this.highestToken.set(taskId, Math.max(request.token, this.highestToken.get(taskId) ?? 0));
    }
    this.attempts.push({ taskId, workerId: request.workerId, token: request.token, accepted: result.accepted, reason: result.reason });
    this.onEvent?.({ kind: "store.commit", data: { task: taskId, worker: request.workerId, token: request.token ?? null, accepted: result.accepted, ...(result.reason ? { reason: result.reason } : {}) } });
    return result;
  }

  private decide(taskId: string, token: number | undefined): CommitResult {
    if (!this.fenced) return { accepted: true };
    if (token === undefined) return { accepted: false, reason: "missing-token" };
    const highest = this.highestToken.get(taskId);
    if (highest !== undefined && token < highest) return { accepted: false, reason: "stale-token" };
    if (this.effects.has(taskId) && token === this.lastEffectToken(taskId)) return { accepted: false, reason: "duplicate-token" };
    return { accepted: true };
  }

  private lastEffectToken(taskId: string): number | undefined {
    for (let i = this.attempts.length - 1; i >= 0; i--) {
      const a = this.attempts[i]!;
      if (a.taskId === taskId && a.accepted) return a.token;
    }
    return undefined;
  }
}
