/**
 * How a resource decides whether a task's effect takes place (design.md §2, Resources). Each
 * policy stands for a real system; none is stronger than the real one it stands for, because a
 * resource stronger than real ones hides bugs (a broken fencing token passes every check).
 *
 * - `unfenced`: every commit lands. A plain `UPDATE jobs SET done = true WHERE id = $task`, an
 *   email sent, an HTTP POST without an idempotency key.
 * - `highest-token`: a commit lands if its token is ≥ the highest token this resource accepted
 *   for the task, and is refused if lower. `UPDATE jobs SET done = true, fence = $token WHERE id =
 *   $task AND fence <= $token` (one row, no claim), Kleppmann's storage server. Equal tokens pass:
 *   the resource cannot tell two holders with the same token apart. The default.
 * - `strict-token`: only a token > the highest accepted lands. `... AND fence < $token`: a second
 *   commit with the same token is refused (an effect that records its token and refuses repeats).
 * - `claim-then-commit`: the strongest protocol. The worker first presents its token (`UPDATE jobs
 *   SET fence = $token WHERE id = $task AND fence < $token`, before the work); any token lower than
 *   the highest *presented* is refused at commit, and a repeat of the token that already took
 *   effect too. It needs the worker to claim; a resource you do not control rarely offers it.
 *
 * A commit without a token is a plain write under every policy (a worker that carries no token
 * does not use the guarded statement), so tokenless workers behave as under `unfenced`.
 */
export const resourcePolicies = ["unfenced", "highest-token", "strict-token", "claim-then-commit"] as const;

/** A resource policy's name. */
export type ResourcePolicy = (typeof resourcePolicies)[number];

/** The policy used when none is named: what a row guarded by `fence <= $token` does. */
export const defaultResourcePolicy: ResourcePolicy = "highest-token";

/** Whether `name` is a resource policy. */
export function isResourcePolicy(name: string): name is ResourcePolicy {
  return (resourcePolicies as readonly string[]).includes(name);
}
