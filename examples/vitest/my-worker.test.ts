import { test } from "vitest";
import { checkWorker } from "locksim/check";

// Sweeps 300 generated fault plans over your worker; throws the shrunk story if one breaks it.
test("my worker runs each task at most once", async () => {
  await checkWorker("./workers/modify-index-worker.ts", { runs: 300, seed: 1 });
}, 300_000);
