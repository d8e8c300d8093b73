import type { RunnerTestCase } from "vitest";
import { VitestTestRunner } from "vitest/runners";
import { getFn } from "vitest/suite";
import { runInTestScope } from "./test-children.js";

/**
 * vitest's own runner, with each test body run in a scope that owns the child processes it starts
 * (test/test-children.ts): when the test ends — passed, failed or timed out — what it started and
 * left running is stopped. Set as `runner` in vitest.config.ts.
 */
export default class LocksimTestRunner extends VitestTestRunner {
  /** What @vitest/runner does without a runTask (`await getFn(test)()`), inside the test's scope. */
  async runTask(test: RunnerTestCase): Promise<void> {
    const fn = getFn(test);
    if (!fn) throw new Error("Test function is not found. Did you add it using `setFn`?");
    await runInTestScope(test.name, fn);
  }
}
