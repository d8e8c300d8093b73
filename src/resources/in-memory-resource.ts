import type { ClaimResult, CommitRequest, CommitResult, TaskSpec, TaskStore } from "../ports/task-store.js";
import type { TraceEvent } from "../trace-events.js";
import type { ConsulEffectCommit } from "./consul-effects.js";
import { defaultResourcePolicy, type ResourcePolicy } from "./resource-policy.js";

/** One commit attempt, as the resource saw it. */
export interface CommitRecord {
  taskId: string;
  workerId: string;
  token: number | undefined;
  accepted: boolean;
  reason: CommitResult["reason"];
}

/** Options of the in-memory resource. */
export interface InMemoryResourceOptions {
  tasks: TaskSpec[];
  /** How commits are judged (resource-policy.ts). Default "highest-token". */
  policy?: ResourcePolicy;
  /** Called on every claim and commit, for the trace (the simulator and the real replay record these). */
  onEvent?: (event: Extract<TraceEvent, { kind: "store.claim" | "store.commit" }>) => void;
}

/**
 * The TaskStore of the simulator and the real replay: tasks in memory, where each task's effect
 * lands under a named policy that behaves like a real resource (resource-policy.ts). Every commit
 * attempt is recorded; a second accepted commit of a task is a second effect, which is what the
 * at-most-once checker looks for.
 */
export class InMemoryResource implements TaskStore {
  readonly tasks: readonly TaskSpec[];
  readonly policy: ResourcePolicy;
  /** Every commit attempt, in order. */
  readonly attempts: CommitRecord[] = [];
  /** Highest token accepted per task (and, under claim-then-commit, presented). */
  private readonly fence = new Map<string, number>();
  private readonly effects = new Map<string, { count: number; token: number | undefined }>();
  private readonly onEvent: InMemoryResourceOptions["onEvent"];

  constructor(options: InMemoryResourceOptions) {
    // Push, not map: map inlined by TurboFan returns a HOLEY array, the builtin a PACKED one, and
    // every reader of `tasks` deopted ("wrong map") when a sweep's runs saw both kinds.
    const tasks: TaskSpec[] = [];
    for (const t of options.tasks) tasks.push({ ...t });
    this.tasks = tasks;
    this.policy = options.policy ?? defaultResourcePolicy;
    this.onEvent = options.onEvent;
    const ids = new Set<string>();
    for (const t of this.tasks) {
      if (ids.has(t.id)) throw new Error(`InMemoryResource: task id "${t.id}" appears twice`);
      ids.add(t.id);
    }
  }

  /** How many times each task's effect took place. */
  effectCounts(): Map<string, number> {
    return new Map(this.tasks.map((t) => [t.id, this.effects.get(t.id)?.count ?? 0]));
  }

  async listPending(): Promise<TaskSpec[]> {
    // Push, not filter+map: one elements kind (PACKED) for the worker's loop over the result.
    const pending: TaskSpec[] = [];
    for (const t of this.tasks) if (!this.effects.has(t.id)) pending.push({ ...t });
    return pending;
  }

  async isCommitted(taskId: string): Promise<boolean> {
    return this.effects.has(taskId);
  }

  /**
   * A token presented before the work. Only claim-then-commit raises the fence here; the other
   * policies stand for resources that see nothing until the commit, so a claim only answers
   * whether the task still needs doing.
   */
  async claim(taskId: string, token: number, workerId?: string): Promise<ClaimResult> {
    const highest = this.fence.get(taskId);
    const raises = this.policy === "claim-then-commit";
    let result: ClaimResult;
    if (raises && highest !== undefined && token < highest) result = { proceed: false, reason: "stale-token" };
    else if (this.effects.has(taskId)) result = { proceed: false, reason: "committed" };
    else result = { proceed: true };
    if (raises && (highest === undefined || token > highest)) this.fence.set(taskId, token);
    this.onEvent?.({ kind: "store.claim", data: { task: taskId, ...(workerId !== undefined ? { worker: workerId } : {}), token, ...result } });
    return result;
  }

  async commit(taskId: string, request: CommitRequest): Promise<CommitResult> {
    const result = this.decide(taskId, request.token);
    if (result.accepted) {
      const before = this.effects.get(taskId);
      this.effects.set(taskId, { count: (before?.count ?? 0) + 1, token: request.token });
      if (request.token !== undefined) this.fence.set(taskId, Math.max(request.token, this.fence.get(taskId) ?? request.token));
    }
    this.attempts.push({ taskId, workerId: request.workerId, token: request.token, accepted: result.accepted, reason: result.reason });
    const data = { task: taskId, worker: request.workerId, token: request.token ?? null, accepted: result.accepted, ...(result.reason ? { reason: result.reason } : {}) };
    this.onEvent?.({ kind: "store.commit", data });
    return result;
  }

  /**
   * A commit that happened in Consul rather than here (consul-effects.ts): what Consul applied is
   * recorded as is, whatever the policy, because Consul was the resource. A refused one is recorded
   * with Consul's reason. Tasks committed this way are no longer pending.
   */
  recordConsulEffect(commit: ConsulEffectCommit): void {
    const { taskId, workerId, token, accepted } = commit;
    if (accepted) {
      const before = this.effects.get(taskId);
      this.effects.set(taskId, { count: (before?.count ?? 0) + 1, token });
    }
    this.attempts.push({ taskId, workerId, token, accepted, reason: accepted ? undefined : "refused-by-consul" });
    const data = { task: taskId, worker: workerId, token: token ?? null, accepted, ...(accepted ? {} : { reason: `consul: ${commit.refusal ?? "refused"}` }) };
    this.onEvent?.({ kind: "store.commit", data });
  }

  private decide(taskId: string, token: number | undefined): CommitResult {
    if (this.policy === "unfenced" || token === undefined) return { accepted: true };
    const highest = this.fence.get(taskId);
    if (highest === undefined) return { accepted: true };
    if (token < highest) return { accepted: false, reason: "stale-token" };
    if (this.policy === "highest-token") return { accepted: true };
    if (this.policy === "strict-token" && token === highest) return { accepted: false, reason: "duplicate-token" };
    if (this.policy === "claim-then-commit" && token === this.effects.get(taskId)?.token) return { accepted: false, reason: "duplicate-token" };
    return { accepted: true };
  }
}
