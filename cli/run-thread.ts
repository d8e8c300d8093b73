// The thread a simulated `run` or `replay` executes on, so that the main thread can stop a worker
// that never yields (cli/isolated-run.ts). It runs the command and answers its exit code or error.
import { parentPort, workerData } from "node:worker_threads";
import { attachBeacon, beaconOver } from "../sim/progress-beacon.js";
import { classify, describeError } from "./exit-codes.js";
import type { RunFlags } from "./options.js";
import { runCommand } from "./run-command.js";

/** What the main thread hands the run thread. */
export interface RunThreadData {
  file: string;
  flags: RunFlags;
  command: "run" | "replay";
  beacon: SharedArrayBuffer;
}

/** The run thread's answer. */
export type RunThreadAnswer = { code: number } | { error: { code: number; kind: string; message: string; printed: boolean } };

const data = workerData as RunThreadData;
attachBeacon(beaconOver(data.beacon));
runCommand(data.file, data.flags, data.command).then(
  (code) => parentPort!.postMessage({ code } satisfies RunThreadAnswer),
  (error: unknown) => {
    const { code, kind } = classify(error);
    parentPort!.postMessage({ error: { code, kind, message: describeError(error, code === 4), printed: Boolean((error as { context?: { printed?: boolean } }).context?.printed) } } satisfies RunThreadAnswer);
  },
);
