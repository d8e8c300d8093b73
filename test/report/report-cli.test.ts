import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** Runs the CLI from source; resolves with its exit code and output. */
function locksim(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("node_modules/.bin/vite-node", ["cli/main.ts", "--", ...args], { cwd: process.cwd() }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("CLI: --html reports and unsafe windows in --json", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "locksim-report-cli-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("run --json --html: the overlap in the JSON, and a self-contained report file", async () => {
    const file = join(dir, "run.html");
    const r = await locksim("run", "scenarios/gc-pause-longer-than-ttl.json", "--worker", "naive", "--json", "--html", file);
    // Exit 0: the naive worker breaks exactly as the scenario expects.
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { unsafeWindows: { overlapMs: number; holders: { worker: string }[]; explanation: string }[] };
    expect(out.unsafeWindows).toHaveLength(1);
    expect(out.unsafeWindows[0]).toMatchObject({ overlapMs: 13_782, holders: [{ worker: "w1" }, { worker: "w2" }] });
    expect(out.unsafeWindows[0]!.explanation).toMatch(/^w1 paused 45 s > 2×TTL \(20 s\) \+ lock-delay \(15 s\)/);
    const html = readFileSync(file, "utf8");
    expect(html).toContain('data-lane="worker:w1"');
    expect(html).toContain("overlap 13.8 s");
    expect(r.stderr).toContain(`report: ${file}`);
  });

  it("check --html draws the counterexample; the sweep summary gives the overlap distribution", async () => {
    const file = join(dir, "check.html");
    const r = await locksim("check", "--worker", "naive", "--runs", "200", "--seed", "4", "--out", dir, "--json", "--html", file);
    expect(r.code).toBe(1);
    const summary = JSON.parse(r.stdout) as { unsafeWindows: { count: number; medianMs: number; maxMs: number; maxRun: number; maxScenario: { faults: unknown[] } } };
    expect(summary.unsafeWindows.count).toBeGreaterThan(0);
    expect(summary.unsafeWindows.maxMs).toBeGreaterThanOrEqual(summary.unsafeWindows.medianMs);
    expect(summary.unsafeWindows.maxRun).toBeGreaterThan(0);
    expect(Array.isArray(summary.unsafeWindows.maxScenario.faults)).toBe(true);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, "utf8")).toContain("naive · counterexample");
  });
});
