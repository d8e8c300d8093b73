import type { SessionRecord } from "./consul-records.js";

/**
 * What the model's endpoints report as they act, so that the model writes its trace in one place
 * (ConsulModel). Each call happens at the moment the trace record belongs, between the state
 * changes around it.
 */
export interface ModelEvents {
  /** A session was stored (after validation and Raft). */
  sessionCreated(session: SessionRecord): void;
  /** An explicit destroy removed a session that existed. */
  sessionDestroyed(sessionId: string): void;
  /** A check went critical or was deregistered: `sessionId`, which names it, is about to be destroyed. */
  sessionInvalidated(sessionId: string, checkId: string): void;
  /** An acquire was refused before Raft because `key` is inside its lock-delay. */
  lockDelayRefused(key: string, sessionId: string): void;
  /** An acquire went through Raft; `ok` is its answer. */
  acquired(key: string, sessionId: string, ok: boolean): void;
  /** A release went through Raft; `ok` is its answer. */
  released(key: string, sessionId: string, ok: boolean): void;
}
