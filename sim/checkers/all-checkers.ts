import { atMostOnce } from "./at-most-once.js";
import type { CheckInput, CheckName, CheckResult, Checker } from "./check-types.js";
import { exclusiveExecution } from "./exclusive-execution.js";
import { fencing } from "./fencing.js";
import { liveness } from "./liveness.js";
import { modelInvariants } from "./model-invariants.js";

/** Every checker, by name, in report order. */
export const checkers: Record<CheckName, Checker> = { atMostOnce, exclusiveExecution, fencing, liveness, modelInvariants };

/** Runs every checker over a run. */
export function runCheckers(input: CheckInput): Record<CheckName, CheckResult> {
  const out = {} as Record<CheckName, CheckResult>;
  for (const [name, check] of Object.entries(checkers) as [CheckName, Checker][]) out[name] = check(input);
  return out;
}
