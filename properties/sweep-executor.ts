import type { CheckName } from "../sim/scenario/scenario-schema.js";
import { zeroViolations, type BatchResult, type BatchSpec, type RunFailure } from "./sweep-batch.js";

/** The folded outcome of a stretch of the sequence. */
export interface ExecutedSweep {
  /** Runs folded: a contiguous prefix of [from, to), ending at the first failure if any. */
  ran: number;
  violations: Record<CheckName, number>;
  /** Runs in which the worker under test failed. */
  workerFailures: number;
  /** Runs that reached each coverage mark. */
  marks: Record<string, number>;
  /** Each overlapping run's largest overlap (only runs that violated exclusive execution). */
  overlaps: { run: number; overlapMs: number }[];
  firstFailure: number | undefined;
  firstFailureKind: RunFailure | undefined;
  verdicts: string[] | undefined;
  /** True when a time budget or a signal stopped the sweep before `to`. */
  interrupted: boolean;
}

/** Options of executeBatches. */
export interface ExecuteOptions {
  from: number;
  to: number;
  batchSize: number;
  /** Batches in flight at once (the number of threads; 1 in-process). */
  concurrency: number;
  run: (spec: BatchSpec) => Promise<BatchResult>;
  /** Checked before each dispatch: a time budget ran out, or Ctrl+C. */
  shouldStop: () => boolean;
  collectVerdicts?: boolean;
  onProgress?: (ran: number) => void;
}

/**
 * Runs [from, to) in batches, `concurrency` at a time, and folds their results in generation order,
 * so that counts and the first counterexample are those of a serial sweep whatever the threads'
 * timing: nothing after the first failure is counted, and batches still in flight after it are
 * not waited for. Memory is flat in the number of runs: only
 * the batches in flight and those waiting to be folded are held.
 */
export function executeBatches(o: ExecuteOptions): Promise<ExecutedSweep> {
  const out: ExecutedSweep = { ran: 0, violations: zeroViolations(), workerFailures: 0, marks: {}, overlaps: [], firstFailure: undefined, firstFailureKind: undefined, verdicts: o.collectVerdicts ? [] : undefined, interrupted: false };
  const waiting = new Map<number, BatchResult>();
  let nextStart = o.from;
  let foldStart = o.from;
  let inFlight = 0;
  let failureAt: number | undefined;
  let done = false;
  let finished = false;
  return new Promise<ExecutedSweep>((resolve, reject) => {
    const fold = (): void => {
      for (let r = waiting.get(foldStart); r && !done; r = waiting.get(foldStart)) {
        waiting.delete(foldStart);
        out.ran += r.ran;
        for (const c of Object.keys(r.violations) as CheckName[]) out.violations[c] += r.violations[c];
        out.workerFailures += r.workerFailures;
        out.verdicts?.push(...(r.verdicts ?? []));
        out.overlaps.push(...r.overlaps);
        for (const [m, n] of Object.entries(r.marks)) out.marks[m] = (out.marks[m] ?? 0) + n;
        foldStart += r.count;
        if (r.firstFailure !== undefined) {
          out.firstFailure = r.firstFailure;
          out.firstFailureKind = r.firstFailureKind;
          done = true;
        }
      }
      o.onProgress?.(out.ran);
    };
    const pump = (): void => {
      while (!done && inFlight < o.concurrency && nextStart < o.to && (failureAt === undefined || nextStart <= failureAt)) {
        if (o.shouldStop()) {
          out.interrupted = true;
          break;
        }
        const spec = { start: nextStart, count: Math.min(o.batchSize, o.to - nextStart) };
        nextStart += spec.count;
        inFlight++;
        o.run(spec).then((r) => {
          inFlight--;
          if (r.firstFailure !== undefined) failureAt = Math.min(failureAt ?? Infinity, r.firstFailure);
          waiting.set(r.start, r);
          fold();
          pump();
        }, reject);
      }
      // Once the first failure is folded, batches still in flight lie after it and cannot change
      // the result: the sweep ends without waiting for them (the pool is closed next).
      if (done || (inFlight === 0 && (nextStart >= o.to || out.interrupted || failureAt !== undefined))) {
        if (finished) return;
        finished = true;
        fold();
        resolve(out);
      }
    };
    pump();
  });
}
