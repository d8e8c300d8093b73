import type { TraceRecord } from "../../src/trace-events.js";

/**
 * Coverage marks: named states a run reached, like FoundationDB's CODE_PROBE or Antithesis's
 * "sometimes" assertions. A sweep that never reaches a mark never tested what lies behind it,
 * however many runs passed. They are computed from every run's typed trace (always on, no cost to
 * the step loop) plus any explicit `mark` record a component or a user's worker writes.
 */
export interface MarkInfo {
  /** What the mark means. */
  means: string;
  /** The fault(s) that make it reachable: the hint when --require-marks finds it unreached. */
  enabledBy: string;
}

/** Every built-in mark. */
export const markCatalog = {
  "session-expired-under-live-holder": { means: "Consul expired a session whose holder was still running (not crashed)", enabledBy: "pause, partition, drop-renewals or clock-drift" },
  "acquire-refused-by-lock-delay": { means: "an acquire was refused because the key was in lock-delay", enabledBy: "crash (a holder dies holding the lock) or any fault that lets a held session expire" },
  "acquire-response-lost": { means: "Consul applied an acquire whose response never reached the worker", enabledBy: "partition with mode responses or both" },
  "renew-after-expiry": { means: "a worker renewed a session that had already expired", enabledBy: "pause, partition or clock-drift longer than 2×TTL" },
  "stale-commit-refused": { means: "the resource refused a commit with a stale token", enabledBy: "pause or partition of a token-carrying holder, with a fencing resource" },
  "failover-rearmed-timers": { means: "a leader failover re-armed the TTL timers of live sessions", enabledBy: "leader-failover while a session exists" },
  "lock-loss-noticed": { means: "a worker noticed it lost its lock", enabledBy: "pause, partition, drop-renewals or leader-failover" },
  "task-aborted": { means: "a task was aborted mid-run", enabledBy: "any fault that makes a worker notice a lost lock" },
  "worker-restarted": { means: "a crashed worker restarted", enabledBy: "crash with restartAfterMs" },
  "effect-refused-by-consul": { means: "Consul refused an effect's transaction (its check-session found another holder, or none)", enabledBy: "pause, partition or clock-drift of a holder whose effect is a Consul transaction (txn-fenced)" },
  "txn-commit-unanswered": { means: "a worker got no answer to its effect's transaction (it may have been applied)", enabledBy: "partition or slow-network during the commit of txn-fenced" },
} satisfies Record<string, MarkInfo>;

/** A built-in mark's name. */
export type MarkName = keyof typeof markCatalog;

/** The marks each reference worker's sweep is expected to reach (`--require-marks` default). */
export const defaultRequiredMarks: Record<string, MarkName[]> = {
  naive: ["session-expired-under-live-holder", "acquire-refused-by-lock-delay", "renew-after-expiry"],
  "consul-api-lock": ["session-expired-under-live-holder", "acquire-refused-by-lock-delay", "task-aborted"],
  fenced: ["session-expired-under-live-holder", "lock-loss-noticed", "task-aborted"],
  "txn-fenced": ["session-expired-under-live-holder", "lock-loss-noticed", "effect-refused-by-consul"],
};

/** The marks a run reached, from its trace. */
export function marksOf(records: readonly TraceRecord[]): Set<string> {
  const reached = new Set<string>();
  const owner = new Map<string, string>(); // session → host that acquired with it
  const dead = new Set<string>(); // sessions whose holder incarnation crashed
  const expiredOf = new Set<string>(); // hosts whose session expired
  for (const r of records) {
    switch (r.kind) {
      case "lock.acquired":
        owner.set(r.data.session, r.host);
        expiredOf.delete(r.host);
        break;
      case "host.crash":
        for (const [session, host] of owner) if (host === r.host) dead.add(session);
        break;
      case "host.start":
        if (r.data.incarnation > 0) reached.add("worker-restarted");
        break;
      case "consul.session.expire": {
        const host = owner.get(r.data.session);
        if (host !== undefined && !dead.has(r.data.session)) reached.add("session-expired-under-live-holder");
        if (host !== undefined) expiredOf.add(host);
        break;
      }
      case "consul.kv.lock-delay":
        reached.add("acquire-refused-by-lock-delay");
        break;
      case "net.lost":
        if (r.data.op === "kv.acquire" && r.data.dir === "response") reached.add("acquire-response-lost");
        break;
      case "net.send":
        if (r.data.op === "session.renew" && expiredOf.has(r.host)) reached.add("renew-after-expiry");
        break;
      case "store.commit":
        if (!r.data.accepted && r.data.reason === "stale-token") reached.add("stale-commit-refused");
        if (!r.data.accepted && r.data.reason?.startsWith("consul:")) reached.add("effect-refused-by-consul");
        break;
      case "consul.leader.elected":
        if ((r.data.sessions ?? 0) > 0) reached.add("failover-rearmed-timers");
        break;
      // The Go client's monitor also ends (with an error) at every unlock, so only the
      // workers' own lock.lost counts; the Go-client worker's loss shows as task-aborted.
      case "lock.lost":
        reached.add("lock-loss-noticed");
        break;
      case "task.abort":
        reached.add("task-aborted");
        break;
      case "mark":
        reached.add(r.data.name);
        break;
      default:
        break;
    }
  }
  return reached;
}
