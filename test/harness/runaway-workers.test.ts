import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";

function locksim(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("node_modules/.bin/vite-node", ["cli/main.ts", "--", ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const scenario = "scenarios/crash-mid-task.json";

describe("runaway workers are stopped, and the message names the bound", () => {
  for (const [file, bound] of [
    ["spin-worker.ts", /did not yield for 3000ms \(--yield-timeout-ms\): host w\d at virtual time \d+ms/],
    ["microtask-worker.ts", /did not yield for 3000ms \(--yield-timeout-ms\): host w\d at virtual time 0ms/],
    ["livelock-worker.ts", /never let virtual time move[\s\S]*bound sameTimeStepsMax/],
  ] as const) {
    it(file, { timeout: 60_000 }, async () => {
      const r = await locksim("run", scenario, "--worker-module", `test/fixtures/workers/${file}`, "--yield-timeout-ms", "3000", "--no-check-determinism");
      // The watchdog (or the livelock bound) ended the run: exit 3 with a message naming the
      // bound; a child killed by execFile's timeout would report no code (1 here). No wall-time
      // bound (tests never assert timings; machines are noisy): a run that hangs, as one did for
      // about 2 minutes, fails on the test's 60s timeout.
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(bound);
    });
  }
  it("the livelock's bound is in the timeline and in the JSON", { timeout: 60_000 }, async () => {
    const r = await locksim("run", scenario, "--worker-module", "test/fixtures/workers/livelock-worker.ts", "--json", "--no-check-determinism");
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout) as { bound: string; error: { exitCode: number } };
    expect(out.bound).toMatch(/stopped by bound sameTimeStepsMax/);
    expect(out.error.exitCode).toBe(3);
    const text = await locksim("run", scenario, "--worker-module", "test/fixtures/workers/livelock-worker.ts", "--no-check-determinism");
    expect(text.stdout).toMatch(/RUN STOPPED by bound sameTimeStepsMax/);
  });
});

describe("nondeterministic workers are caught, naming the call, with exit 3", () => {
  for (const [name, call] of [
    ["capturedDateNow", "Date.now"],
    ["capturedSetTimeout", "setTimeout"],
    ["cryptoRandomUUID", "crypto.randomUUID"],
    ["cryptoRandomInt", "crypto.randomInt"],
  ] as const) {
    it(name, { timeout: 60_000 }, async () => {
      const r = await locksim("run", scenario, "--worker-module", `test/fixtures/workers/nondeterministic-workers.ts#${name}`);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`${call} was called inside the simulated world`);
    });
  }
});

describe("a worker that exits or throws is the worker's failure (exit 3), not a verdict", () => {
  it("process.exit(0) inside the world", { timeout: 60_000 }, async () => {
    const r = await locksim("run", scenario, "--worker-module", "test/fixtures/workers/exit-worker.ts", "--no-check-determinism");
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("process.exit was called inside the simulated world");
  });
  it("a worker that throws", { timeout: 60_000 }, async () => {
    const r = await locksim("run", scenario, "--worker-module", "test/fixtures/workers/throwing-worker.ts", "--no-check-determinism", "--json");
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/the worker under test failed: the worker threw, rejected or left a promise rejection unhandled:[\s\S]*boom from the worker/);
    expect((JSON.parse(r.stdout) as { error: { exitCode: number } }).error.exitCode).toBe(3);
  });
});
