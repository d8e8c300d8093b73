import { readFile } from "node:fs/promises";
import { InputError } from "../src/errors.js";
import { checkNames } from "../sim/scenario/scenario-schema.js";
import { zeroViolations } from "./sweep-batch.js";
import type { SweepSummary } from "./sweep.js";
import { parseSummary } from "./summary-schema.js";

/** What must agree between shards of one sweep. */
const sameFields = ["worker", "seed", "sequenceRuns", "faults", "resource"] as const;

/**
 * Combines the summaries of the shards of one sweep into the summary the unsharded sweep gives:
 * counts of every run up to the first counterexample in generation order (shards after it are
 * left out, as the unsharded sweep would have stopped there), and that counterexample.
 */
export function mergeSummaries(parts: SweepSummary[], names: string[] = parts.map((_, i) => `summary ${i + 1}`)): SweepSummary {
  if (parts.length === 0) throw new InputError("merge: expected at least one summary file; found none", { field: "files" });
  const first = parts[0]!;
  parts.forEach((p, i) => {
    for (const f of sameFields) {
      if (JSON.stringify(p[f]) !== JSON.stringify(first[f])) throw new InputError(`merge: ${names[i]}: field ${f}: expected ${JSON.stringify(first[f])} (as in ${names[0]}); found ${JSON.stringify(p[f])}`, { field: f });
    }
  });
  const count = first.shard.count;
  const byIndex = new Map(parts.map((p, i) => [p.shard.index, { p, name: names[i]! }]));
  if (parts.some((p) => p.shard.count !== count) || byIndex.size !== count || parts.length !== count) {
    throw new InputError(`merge: expected shards 1/${count} to ${count}/${count}, once each; found ${parts.map((p) => `${p.shard.index}/${p.shard.count}`).join(", ")}`, { field: "shard" });
  }
  const ordered = [...byIndex.values()].sort((a, b) => a.p.shard.index - b.p.shard.index).map((x) => x.p);
  const failing = ordered.find((p) => p.counterexample);
  const kept = failing ? ordered.filter((p) => p.shard.from <= failing.shard.from) : ordered;
  const violations = zeroViolations();
  for (const p of kept) for (const c of checkNames) violations[c] += p.violations[c];
  const marks: Record<string, number> = {};
  for (const p of kept) for (const [m, n] of Object.entries(p.coverage)) marks[m] = (marks[m] ?? 0) + n;
  const runs = kept.reduce((n, p) => n + p.runs, 0);
  const wallMs = Math.max(...ordered.map((p) => p.wallMs));
  // Memory kept is the worker's, whichever shard saw it.
  const leaky = ordered.filter((p) => p.keptMemory);
  const keptMemory = leaky.length ? { threadsReplaced: leaky.reduce((n, p) => n + p.keptMemory!.threadsReplaced, 0), mbMax: Math.max(...leaky.map((p) => p.keptMemory!.mbMax)) } : undefined;
  return {
    ...first,
    shard: { index: 1, count: 1, from: 0, to: first.sequenceRuns },
    runs,
    interrupted: kept.some((p) => p.interrupted),
    wallMs,
    runsPerSec: Math.round((ordered.reduce((n, p) => n + p.runs, 0) / wallMs) * 1000),
    violations,
    workerFailures: kept.reduce((n, p) => n + p.workerFailures, 0),
    coverage: marks,
    unsafeWindows: mergeOverlapStats(kept),
    unreachedMarks: [...new Map(ordered.flatMap((p) => p.unreachedMarks).map((u) => [u.mark, u])).values()].filter((u) => !marks[u.mark]),
    ...(kept.every((p) => p.verdicts) ? { verdicts: kept.flatMap((p) => p.verdicts!) } : { verdicts: undefined }),
    keptMemory,
    command: first.command.replace(/ --shard \d+\/\d+/, ""),
    counterexample: failing?.counterexample,
  };
}

/** Reads summary files (`locksim check --json` output) and merges them. */
export async function mergeSummaryFiles(files: string[]): Promise<SweepSummary> {
  const parts: SweepSummary[] = [];
  for (const f of files) {
    let data: unknown;
    try {
      data = JSON.parse(await readFile(f, "utf8"));
    } catch (error) {
      throw new InputError(`merge: ${f}: expected a summary written by 'locksim check --json'; ${error instanceof Error ? error.message : String(error)}`, { field: "files" });
    }
    parts.push(parseSummary(data, f));
  }
  return mergeSummaries(parts, files);
}

/** Count and max combine exactly; the median of the whole cannot be rebuilt from shards' medians, so it is left out. */
function mergeOverlapStats(parts: SweepSummary[]): SweepSummary["unsafeWindows"] {
  const withAny = parts.filter((p) => p.unsafeWindows.count > 0);
  if (withAny.length === 0) return { count: 0 };
  const max = withAny.reduce((a, b) => ((b.unsafeWindows.maxMs ?? 0) > (a.unsafeWindows.maxMs ?? 0) ? b : a));
  return { count: withAny.reduce((n, p) => n + p.unsafeWindows.count, 0), maxMs: max.unsafeWindows.maxMs, maxRun: max.unsafeWindows.maxRun, maxScenario: max.unsafeWindows.maxScenario };
}
