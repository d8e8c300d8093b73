import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { TraceRecord } from "../../src/trace-events.js";
import { loadScenario } from "../../sim/scenario/load-scenario.js";
import { runScenario } from "../../sim/scenario/run-scenario.js";
import { largestOverlapOf, unsafeWindowStats, unsafeWindows, unsafeWindowsOf } from "../../sim/report/unsafe-window.js";
import type { Scenario } from "../../sim/scenario/scenario-schema.js";

/** A record; the casts keep the test data short. */
const rec = (atMs: number, host: string, kind: TraceRecord["kind"], data?: unknown): TraceRecord => ({ atMs, host, kind, data }) as TraceRecord;

describe("unsafe windows from a simulator run", () => {
  it("gc-pause-longer-than-ttl · naive: w1's pause against 2×TTL + lock-delay, and the 13.8 s overlap", async () => {
    const run = await runScenario(await loadScenario("scenarios/gc-pause-longer-than-ttl.json"), { worker: "naive" });
    const windows = unsafeWindowsOf(run);
    expect(windows).toHaveLength(1);
    const w = windows[0]!;
    expect(w.task).toBe("t1");
    expect(w.holders.map((h) => h.worker)).toEqual(["w1", "w2"]);
    expect({ startMs: w.startMs, endMs: w.endMs, overlapMs: w.overlapMs }).toEqual({ startMs: 56_218, endMs: 70_000, overlapMs: 13_782 });
    expect(w.cause).toEqual({ type: "pause", target: "w1", fault: "pause w1 for 45000ms", durationMs: 45_000 });
    expect({ ttlMs: w.ttlMs, lockDelayMs: w.lockDelayMs }).toEqual({ ttlMs: 10_000, lockDelayMs: 15_000 });
    expect(w.sessionEnd).toEqual({ end: "expire", atMs: 40_032 });
    expect(w.explanation).toMatch(/^w1 paused 45 s > 2×TTL \(20 s\) \+ lock-delay \(15 s\): session [0-9a-f]{8} expired at 40\.0 s; w2 started t1 at 56\.2 s while w1 still ran it; w1 finished at 70\.0 s: overlap 13\.8 s$/);
    // The two holders' sessions are named: the window says who overlapped, not only where.
    expect(w.holders.every((h) => h.session !== undefined)).toBe(true);
    expect(largestOverlapOf(run)).toBe(13_782);
  });

  it("fenced: the overlap ends where w1 aborts on resume", async () => {
    const run = await runScenario(await loadScenario("scenarios/gc-pause-longer-than-ttl.json"), { worker: "fenced" });
    const [w] = unsafeWindowsOf(run);
    expect(w?.holders[0].endedBy).toBe("abort");
    expect(w?.endMs).toBe(70_000);
    expect(w?.explanation).toMatch(/w1 aborted at 70\.0 s: overlap 8\.8 s$/);
  });

  it("agrees with the exclusive-execution checker on every shipped scenario and worker kind", async () => {
    const files = [...readdirSync("scenarios").filter((f) => f.endsWith(".json") && f !== "scenario.schema.json").map((f) => `scenarios/${f}`), ...readdirSync("scenarios/regressions").map((f) => `scenarios/regressions/${f}`)];
    for (const file of files) {
      const scenario = await loadScenario(file);
      for (const worker of ["naive", "consul-api-lock", "fenced"] as const) {
        const run = await runScenario(scenario, { worker });
        const windows = unsafeWindowsOf(run);
        const check = run.results.exclusiveExecution;
        expect(windows.length > 0, `${file} · ${worker}`).toBe(check.verdict === "violated");
        if (check.verdict === "violated") expect(windows.map((w) => w.recordIndexes)).toContainEqual(check.recordIndexes);
        for (const w of windows) expect(w.overlapMs).toBeGreaterThanOrEqual(0);
      }
    }
  });
});

describe("unsafe windows from raw records (a real replay's log: no Consul records)", () => {
  const records: TraceRecord[] = [
    rec(0, "w1", "lock.acquired", { task: "t1", session: "aaaaaaaa-1" }),
    rec(0, "w1", "task.start", { task: "t1" }),
    rec(5_000, "w1", "fault.applied", { type: "partition", target: "w1", fault: "partition w1 from Consul (both) for 60000ms" }),
    rec(30_000, "w2", "lock.acquired", { task: "t1", session: "bbbbbbbb-2" }),
    rec(30_000, "w2", "task.start", { task: "t1" }),
    rec(32_000, "w3", "task.start", { task: "t1" }),
    rec(40_000, "w1", "task.end", { task: "t1" }),
    rec(45_000, "w3", "host.crash"),
    rec(60_000, "w2", "task.end", { task: "t1" }),
    rec(65_000, "w1", "fault.undone", { type: "partition", target: "w1", fault: "partition w1 from Consul (both) for 60000ms" }),
  ];

  it("measures every pair, takes TTL and lock-delay from the scenario's settings, and names the holders", () => {
    const windows = unsafeWindows(records, { consul: { ttlMs: 10_000 } });
    expect(windows.map((w) => [w.holders[0].worker, w.holders[1].worker, w.overlapMs])).toEqual([
      ["w1", "w2", 10_000],
      ["w1", "w3", 8_000],
      ["w2", "w3", 13_000],
    ]);
    // Consul's default lock-delay (15s) applies when the scenario sets none.
    expect(windows[0]!.explanation).toBe("w1 cut off from Consul 60 s > 2×TTL (20 s) + lock-delay (15 s): w2 started t1 at 30.0 s while w1 still ran it; w1 finished at 40.0 s: overlap 10 s");
    expect(windows[0]!.holders[0].session).toBe("aaaaaaaa-1");
    expect(windows[2]!.explanation).toMatch(/w3 crashed at 45\.0 s: overlap 13 s$/);
  });

  it("a start in the same ms after an end is no overlap; before it, an overlap of 0 ms", () => {
    const after = [rec(0, "w1", "task.start", { task: "t1" }), rec(10, "w1", "task.end", { task: "t1" }), rec(10, "w2", "task.start", { task: "t1" })];
    expect(unsafeWindows(after)).toEqual([]);
    const before = [rec(0, "w1", "task.start", { task: "t1" }), rec(10, "w2", "task.start", { task: "t1" }), rec(10, "w1", "task.end", { task: "t1" })];
    expect(unsafeWindows(before).map((w) => w.overlapMs)).toEqual([0]);
    // No settings and no session records: no threshold is claimed.
    expect(unsafeWindows(before)[0]!.explanation).toBe("no fault on w1: w2 started t1 at 0.0 s while w1 still ran it; w1 finished at 0.0 s: overlap 0 s");
  });
});

describe("unsafeWindowStats", () => {
  const scenario = (name: string): Scenario => ({ name }) as Scenario;
  it("count, median (odd and even), max and the first run that reached it", () => {
    expect(unsafeWindowStats([])).toEqual({ count: 0 });
    const odd = unsafeWindowStats([
      { overlapMs: 300, run: 1, scenario: scenario("a") },
      { overlapMs: 100, run: 2, scenario: scenario("b") },
      { overlapMs: 900, run: 5, scenario: scenario("c") },
    ]);
    expect(odd).toEqual({ count: 3, medianMs: 300, maxMs: 900, maxRun: 5, maxScenario: scenario("c") });
    const even = unsafeWindowStats([
      { overlapMs: 100, run: 1, scenario: scenario("a") },
      { overlapMs: 400, run: 2, scenario: scenario("b") },
      { overlapMs: 200, run: 3, scenario: scenario("c") },
      { overlapMs: 400, run: 4, scenario: scenario("d") },
    ]);
    expect(even).toMatchObject({ count: 4, medianMs: 300, maxMs: 400, maxRun: 2 });
  });
});
