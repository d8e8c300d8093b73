import type { ConsulState } from "./consul-state.js";

/**
 * The model's invariants, checked after every change (the modelInvariants checker reports what
 * they find). One holder per key is structural (a key stores one session), and so is "no acquire
 * inside lock-delay" (acquire refuses before Raft); what can break is: a key held by a session
 * that no longer exists, indexes going back, or an entry index ahead of the Raft index.
 */
export class ModelInvariants {
  private lastRaftIndex = 0;

  /** The violations in `state` now, as sentences (none when it is sound). */
  check(state: ConsulState): string[] {
    const violations: string[] = [];
    if (state.raftIndex < this.lastRaftIndex) violations.push(`Raft index went back from ${this.lastRaftIndex} to ${state.raftIndex}`);
    this.lastRaftIndex = state.raftIndex;
    for (const e of state.kv.values()) {
      if (e.session !== "" && !state.findSession(e.session)) violations.push(`key ${e.key} is held by session ${e.session}, which does not exist`);
      if (e.modifyIndex < e.createIndex || e.modifyIndex > state.raftIndex) {
        violations.push(`key ${e.key} has CreateIndex ${e.createIndex}, ModifyIndex ${e.modifyIndex}, Raft index ${state.raftIndex}`);
      }
    }
    return violations;
  }
}
