import { LocksimError } from "../src/errors.js";
import type { ResourcePolicy } from "../src/resources/resource-policy.js";
import { isWorkerKind, type WorkerKind } from "../src/workers/worker-kinds.js";
import type { WorkerFactory } from "../src/workers/worker-types.js";
import { runSweep, type SweepSummary } from "./sweep.js";
import { parseModuleSpec, type WorkerRef } from "./worker-ref.js";

/** What `checkWorker` sweeps: a reference kind, a module spec (`./my-worker.ts#name`), or a factory. */
export type WorkerUnderTest = WorkerKind | string | WorkerFactory;

/** Options of checkWorker. Defaults suit a CI test: a fixed seed, a few hundred runs. */
export interface CheckWorkerOptions {
  /** Generated runs. Default 300. */
  runs?: number;
  /** Sweep seed. Default 1 (a test should be repeatable). */
  seed?: number;
  /** Fault types to allow (default: all). */
  faults?: string[];
  /** Where effects land. Default "highest-token". */
  resource?: ResourcePolicy;
  /** Where a counterexample is written. Default "scenarios/regressions"; null: not written. */
  outDir?: string | null;
  /** For a factory: its name in reports and files. Default "custom-worker". */
  name?: string;
  /** Worker threads (module specs and kinds only; a factory runs in-process). Default: one per core from the build. */
  threads?: number;
}

/**
 * Thrown by checkWorker when the sweep finds a counterexample: a run that violated a safety check,
 * or one in which the worker failed (`summary.counterexample.kind`). Its message tells the story.
 */
export class WorkerCheckFailedError extends LocksimError {
  readonly summary: SweepSummary;
  constructor(summary: SweepSummary) {
    const c = summary.counterexample!;
    const lines = [
      c.kind === "worker-failed"
        ? `${summary.worker} failed (it threw, rejected or left a promise rejection unhandled) after ${c.foundAtRun} generated run(s)`
        : `${summary.worker} is not safe: ${c.failedChecks.join(", ")} violated after ${c.foundAtRun} generated run(s)`,
      `  ${c.detail}`,
      `  shrunk to ${c.faults} fault(s): ${c.scenario.faults.map((f) => JSON.stringify(f)).join(", ") || "none"}`,
      `  sweep seed ${summary.seed}, fast-check path ${c.path}`,
      ...(c.file ? [`  saved: ${c.file}`] : []),
      `  replay: ${c.replay}`,
    ];
    super(lines.join("\n"), { worker: summary.worker, seed: summary.seed, file: c.file });
    this.summary = summary;
  }
}

function refOf(worker: WorkerUnderTest): WorkerRef | undefined {
  if (typeof worker !== "string") return undefined;
  return isWorkerKind(worker) ? { kind: worker } : parseModuleSpec(worker);
}

/**
 * Sweeps generated workloads and fault plans over a worker, for vitest, jest or node:test: it
 * resolves with the sweep's summary when no safety check is violated and the worker never failed,
 * and throws a WorkerCheckFailedError (violated check or the worker's failure, detail, shrunk
 * faults, seed, path, saved file, replay command) at the first run that shows either.
 */
export async function checkWorker(worker: WorkerUnderTest, options: CheckWorkerOptions = {}): Promise<SweepSummary> {
  const ref = refOf(worker);
  const summary = await runSweep({
    worker: ref ?? { factory: worker as WorkerFactory, name: options.name ?? "custom-worker" },
    runs: options.runs ?? 300,
    seed: options.seed ?? 1,
    faultTypes: options.faults,
    resource: options.resource,
    outDir: options.outDir === null ? undefined : (options.outDir ?? "scenarios/regressions"),
    threads: ref ? options.threads : 1,
  });
  if (summary.counterexample) throw new WorkerCheckFailedError(summary);
  return summary;
}
