/**
 * Consul itself as the resource (design.md §2, Resources): an effect is a write of the task's
 * effect key, `<keyPrefix>/<task>/effect`, inside a /v1/txn transaction (the txn-fenced worker's
 * pattern, after HashiCorp Vault's Consul HA backend). What took effect is what Consul applied, not
 * what the worker heard: the simulator reads it off the model, the real replay off the agent's
 * answers below the fault gate, and both turn it into the same `store.commit` records.
 */

/** The effect key of a task, next to its lock key `<keyPrefix>/<task>/leader`. */
export function effectKey(keyPrefix: string, taskId: string): string {
  return `${keyPrefix}/${taskId}/effect`;
}

/** What the effect key holds: who wrote it, under which fencing token (JSON, for people and the checkers). */
export function effectValue(effect: { workerId: string; token: number | undefined }): string {
  return JSON.stringify({ worker: effect.workerId, token: effect.token ?? null });
}

/** One operation of a transaction as the resource sees it; `value` decoded (UTF-8). */
export interface ObservedTxnOp {
  verb: string;
  key: string;
  value: string | null;
}

/** A transaction Consul answered: its operations, and whether it applied them (with the failing ones' texts). */
export interface ObservedTxn {
  ops: readonly ObservedTxnOp[];
  applied: boolean;
  /** Consul's texts for the failing operations (empty when applied). */
  errors: readonly string[];
}

/** A commit attempt on Consul: one write of an effect key, accepted when its transaction was applied. */
export interface ConsulEffectCommit {
  taskId: string;
  workerId: string;
  token: number | undefined;
  accepted: boolean;
  /** Consul's first error text when refused (`failed session check for key …`). */
  refusal: string | undefined;
}

/** The verbs that write a key's value. */
const writingVerbs = new Set(["set", "cas", "lock", "unlock"]);

function parseEffectValue(value: string | null): { workerId: string; token: number | undefined } {
  try {
    const parsed = JSON.parse(value ?? "") as { worker?: unknown; token?: unknown };
    return { workerId: typeof parsed.worker === "string" ? parsed.worker : "?", token: typeof parsed.token === "number" ? parsed.token : undefined };
  } catch {
    return { workerId: "?", token: undefined };
  }
}

/**
 * The effect commits in one transaction: every write of an effect key under `keyPrefix`, accepted
 * if Consul applied the transaction, refused (with Consul's reason) if it did not.
 */
export function effectCommitsOfTxn(keyPrefix: string, txn: ObservedTxn): ConsulEffectCommit[] {
  const commits: ConsulEffectCommit[] = [];
  const head = `${keyPrefix}/`;
  for (const op of txn.ops) {
    if (!writingVerbs.has(op.verb) || !op.key.startsWith(head) || !op.key.endsWith("/effect")) continue;
    const taskId = op.key.slice(head.length, -"/effect".length);
    if (taskId === "" || taskId.includes("/")) continue;
    commits.push({ taskId, ...parseEffectValue(op.value), accepted: txn.applied, refusal: txn.applied ? undefined : (txn.errors[0] ?? "refused") });
  }
  return commits;
}
