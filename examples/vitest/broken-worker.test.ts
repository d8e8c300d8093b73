import { expect, test } from "vitest";
import { checkWorker } from "locksim/check";

// A worker whose token is always 1: locksim must find it, and say how to replay what it found.
test("locksim catches a repeated fencing token and prints the replay command", async () => {
  const check = checkWorker("./workers/constant-token-worker.ts", { runs: 2000, seed: 1, outDir: "counterexamples" });
  await expect(check).rejects.toThrow(/fencing violated after \d+ generated run[\s\S]*shrunk to \d+ fault[\s\S]*saved: counterexamples\/constant-token-worker-seed1-[0-9a-f]{8}\.json[\s\S]*replay: locksim replay counterexamples\//);
}, 300_000);
