import { checkNames, type CheckName, type Scenario, type Verdict } from "./scenario-schema.js";

/** The checks whose violation makes a worker unsafe: the safety of effects. */
export const safetyCheckNames: readonly CheckName[] = ["atMostOnce", "fencing", "modelInvariants"];

/**
 * How a run's verdicts are judged (exit codes follow this):
 * - `expect`: every verdict the scenario expects for this worker is met; a worker the scenario
 *   names no expectations for is expected to be safe (no safety check violated);
 * - `strict`: no check at all is violated (the first round's rule);
 * - `fixed`: the safety checks are no longer violated, whatever the file recorded. This is how a
 *   counterexample becomes a fixed worker's regression test.
 */
export type JudgeMode = "expect" | "strict" | "fixed";

/** The judgement of one run. */
export interface Judgement {
  ok: boolean;
  /** One line per unmet expectation, e.g. "fencing: expected holds, got violated". */
  mismatches: string[];
  /** Where the expectations came from, for the report. */
  basis: string;
}

/** Judges a run's verdicts against the scenario's expectations for `workerName`. */
export function judge(options: { scenario: Scenario; workerName: string; verdicts: Record<CheckName, Verdict>; mode: JudgeMode }): Judgement {
  const { verdicts, mode } = options;
  const unsafe = (checks: readonly CheckName[]): string[] => checks.filter((c) => verdicts[c] === "violated").map((c) => `${c}: violated`);
  if (mode === "strict") return result(unsafe(checkNames), "--strict: no check may be violated");
  if (mode === "fixed") return result(unsafe(safetyCheckNames), "--expect-fixed: no safety check may be violated");
  const expected = options.scenario.expect[options.workerName];
  if (!expected) return result(unsafe(safetyCheckNames), `no expectations for ${options.workerName} in the scenario: no safety check may be violated`);
  const mismatches = (Object.entries(expected) as [CheckName, Verdict][]).filter(([c, v]) => verdicts[c] !== v).map(([c, v]) => `${c}: expected ${v}, got ${verdicts[c]}`);
  return result(mismatches, `the scenario's expectations for ${options.workerName}`);
}

function result(mismatches: string[], basis: string): Judgement {
  return { ok: mismatches.length === 0, mismatches, basis };
}
