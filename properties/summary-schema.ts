import { z } from "zod";
import { InputError } from "../src/errors.js";
import { checkNames } from "../sim/scenario/scenario-schema.js";
import type { SweepSummary } from "./sweep.js";

const count = z.number().int().nonnegative();

/**
 * The fields of a `locksim check --json` summary that `merge` reads. Other fields pass through
 * unchecked: merge copies them from the first shard as they are.
 */
const summarySchema = z.looseObject({
  worker: z.string(),
  seed: z.number(),
  faults: z.array(z.string()).nullable(),
  resource: z.string().nullable(),
  sequenceRuns: count,
  shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive(), from: count, to: count }),
  runs: count,
  interrupted: z.boolean(),
  wallMs: z.number().nonnegative(),
  // Every check's count: merge adds them up by name.
  violations: z.looseObject(Object.fromEntries(checkNames.map((c) => [c, count]))),
  // Absent from summaries written before worker failures were counted: read as 0 (not counted then).
  workerFailures: count.default(0),
  coverage: z.record(z.string(), count),
  unsafeWindows: z.looseObject({ count, maxMs: z.number().optional(), maxRun: z.number().optional(), maxScenario: z.looseObject({}).optional() }),
  unreachedMarks: z.array(z.object({ mark: z.string(), enabledBy: z.string() })),
  verdicts: z.array(z.string()).optional(),
  keptMemory: z.object({ threadsReplaced: count, mbMax: z.number().nonnegative() }).optional(),
  command: z.string(),
  // What merge prints of it, besides where it was found.
  counterexample: z.looseObject({ kind: z.enum(["safety", "worker-failed"]).default("safety"), foundAtRun: count, failedChecks: z.array(z.enum(checkNames)), detail: z.string(), replay: z.string(), path: z.string() }).optional(),
});

function fieldPath(path: PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), "") || "(top level)";
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Checks parsed JSON as a shard's summary; `file` names it in errors. A shard whose check failed
 * wrote `{"error": …}` instead (exit code 2, 3 or 4): that is said as such, with its message.
 */
export function parseSummary(data: unknown, file: string): SweepSummary {
  const failed = (data as { error?: { kind?: unknown; message?: unknown } } | null)?.error;
  if (failed !== undefined && typeof failed === "object" && failed !== null) {
    throw new InputError(`merge: ${file}: expected a shard's summary; found the error its check wrote (${String(failed.kind)}: ${String(failed.message)}). Fix that and run the shard again`, { field: "files", file });
  }
  const result = summarySchema.safeParse(data, { reportInput: true });
  if (result.success) return result.data as unknown as SweepSummary;
  const lines = result.error.issues.slice(0, 12).map((issue) => {
    const expected = issue.message.replace(/^(Invalid input|Too small|Too big|Invalid option): (expected )?/, "").replace(/, received \w+$/, "");
    return `  ${file}: field ${fieldPath(issue.path)}: expected ${expected}; found ${describe(issue.input)}`;
  });
  throw new InputError(`merge: ${file} is not a summary written by 'locksim check --json':\n${lines.join("\n")}`, { field: "files", file });
}
