import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // vitest's runner, plus: child processes a test starts are stopped when it ends (test/test-children.ts).
    runner: "./test/locksim-runner.ts",
    // Real-Consul suites start agents and wait on real TTLs; they need generous time-outs.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Most of the suite's wall time is real-Consul files waiting on real TTLs and elections (the
    // partition, failover and txn replays: 100-260 s each); on a 2-core machine the default would
    // run one file at a time, so up to 3 run at once.
    maxWorkers: 3,
    minWorkers: 1,
    // The real-Consul replays wait in real time; they run concurrently within their file.
    maxConcurrency: 12,
    reporters: ["default", "./test/summary-reporter.ts"],
  },
});
