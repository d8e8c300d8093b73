import type { TaskSpec } from "../../src/ports/task-store.js";
import type { TraceRecord } from "../trace.js";
import type { CheckName, Verdict } from "../scenario/scenario-schema.js";

/** What a checker reads: the trace of a run and the tasks it had. Checkers observe, never steer. */
export interface CheckInput {
  records: readonly TraceRecord[];
  tasks: readonly TaskSpec[];
}

/** A checker's finding. `atMs` and `recordIndexes` point at the first violation, for the timeline. */
export interface CheckResult {
  verdict: Verdict;
  detail: string;
  atMs?: number;
  recordIndexes?: number[];
}

/** A checker. */
export type Checker = (input: CheckInput) => CheckResult;

/** The result of a check that saw nothing to judge: says what was missing, never "holds". */
export function notApplicable(missing: string): CheckResult {
  return { verdict: "not-applicable", detail: `not applicable: ${missing}` };
}

export type { CheckName, Verdict };
