import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Real-Consul suites start agents and wait on real TTLs; they need generous time-outs.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // The real-Consul replays wait in real time; they run concurrently within their file.
    maxConcurrency: 12,
    reporters: ["default", "./test/summary-reporter.ts"],
  },
});
