import { Worker } from "node:worker_threads";
import { beaconBuffer, beaconOver, readBeacon } from "../sim/progress-beacon.js";
import { LocksimError } from "../src/errors.js";
import { exitCodes, WorkerFailedError } from "./exit-codes.js";
import type { RunFlags } from "./options.js";
import type { RunThreadAnswer, RunThreadData } from "./run-thread.js";

/** An error the run thread reported, rethrown here with its exit code. */
class ThreadError extends LocksimError {
  constructor(readonly answer: { code: number; kind: string; message: string; printed?: boolean }) {
    super(answer.message, { kind: answer.kind, printed: answer.printed });
  }
}

/** How long a run thread may take to load before its first event (ms): module loading is not the worker's running time. */
const loadAllowanceMs = 60_000;

/** Default of --yield-timeout-ms: how long a simulated worker may run without yielding. */
export const defaultYieldTimeoutMs = 10_000;

/**
 * Runs a simulated `run` or `replay` on a thread of its own, with a wall-clock watchdog: the world
 * reports each step through a shared-memory beacon, and when no step happens for `yieldTimeoutMs`
 * (a worker stuck in `while (true) {}` or an endless microtask loop, which no event loop can
 * interrupt) the thread is terminated and the run fails as the worker's fault, naming the host and
 * the virtual time.
 */
export async function runIsolated(o: { file: string; flags: RunFlags & { yieldTimeoutMs?: number }; command: "run" | "replay"; signal: AbortSignal }): Promise<number> {
  const buffer = beaconBuffer();
  const beacon = beaconOver(buffer);
  const workerData = { file: o.file, flags: o.flags, command: o.command, beacon: buffer } satisfies RunThreadData;
  // From the build the thread is plain JS; from the sources (tests run them) tsx loads the .ts.
  const source = import.meta.url.endsWith(".ts");
  const entry = new URL(`./run-thread.${source ? "ts" : "js"}`, import.meta.url);
  const boot = `import("tsx/esm/api").then(({ tsImport }) => tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}))`;
  const thread = source ? new Worker(boot, { eval: true, workerData }) : new Worker(entry, { workerData });
  const limitMs = o.flags.yieldTimeoutMs ?? defaultYieldTimeoutMs;
  let answer: RunThreadAnswer | undefined;
  let stuck: string | undefined;
  thread.on("message", (m: RunThreadAnswer) => (answer = m));
  let lastSteps = -1;
  let lastChangeMs = performance.now();
  const watch = setInterval(() => {
    const now = readBeacon(beacon);
    if (now.steps !== lastSteps) {
      lastSteps = now.steps;
      lastChangeMs = performance.now();
      return;
    }
    // Before the first event the thread is still loading (the simulator, tsx, the worker module):
    // seconds on a busy machine, and not the worker's running time, so it gets its own allowance.
    const loading = now.steps === 0;
    if (performance.now() - lastChangeMs < (loading ? Math.max(limitMs, loadAllowanceMs) : limitMs)) return;
    stuck = loading
      ? `the worker module did not finish loading within ${Math.max(limitMs, loadAllowanceMs)}ms (a top-level loop?); it was stopped`
      : `the worker did not yield for ${limitMs}ms (--yield-timeout-ms): host ${now.host} at virtual time ${now.nowMs}ms, event ${now.steps}; it was stopped`;
    void thread.terminate();
  }, Math.min(250, limitMs / 4));
  const onAbort = (): void => void thread.terminate();
  o.signal.addEventListener("abort", onAbort, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      thread.once("exit", () => resolve());
      thread.once("error", reject);
    });
  } finally {
    clearInterval(watch);
    o.signal.removeEventListener("abort", onAbort);
  }
  if (stuck) throw new WorkerFailedError(stuck, { bound: "yieldTimeoutMs" });
  if (!answer) return o.signal.aborted ? exitCodes.sigint : exitCodes.internal;
  if ("error" in answer) throw new ThreadError(answer.error);
  return answer.code;
}

/** The exit code of an error a run thread reported. */
export function threadErrorCode(error: unknown): number | undefined {
  return error instanceof ThreadError ? error.answer.code : undefined;
}
