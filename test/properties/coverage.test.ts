import { describe, expect, it } from "vitest";
import { runSweep } from "../../properties/sweep.js";
import { marksOf, markCatalog } from "../../sim/coverage/coverage-marks.js";
import { loadScenario } from "../../sim/scenario/load-scenario.js";
import { runScenario } from "../../sim/scenario/run-scenario.js";

describe("coverage marks", () => {
  it("a GC pause longer than 2×TTL reaches session-expired-under-live-holder; a crash-only story does not", async () => {
    const pause = await runScenario(await loadScenario("scenarios/gc-pause-longer-than-ttl.json"), { worker: "naive" });
    expect(marksOf(pause.fleet.world.trace.records).has("session-expired-under-live-holder")).toBe(true);
    const crash = await runScenario(await loadScenario("scenarios/crash-mid-task.json"), { worker: "naive" });
    const marks = marksOf(crash.fleet.world.trace.records);
    expect(marks.has("session-expired-under-live-holder")).toBe(false);
    expect(marks.has("acquire-refused-by-lock-delay")).toBe(true);
  });

  it("a sweep limited to crashes fails --require-marks session-expired-under-live-holder, naming the faults that enable it", async () => {
    const s = await runSweep({ worker: "fenced", runs: 60, seed: 2, threads: 1, faultTypes: ["crash"], requireMarks: ["session-expired-under-live-holder"] });
    expect(s.coverage["session-expired-under-live-holder"]).toBe(0);
    expect(s.unreachedMarks).toEqual([{ mark: "session-expired-under-live-holder", enabledBy: markCatalog["session-expired-under-live-holder"].enabledBy }]);
    expect(s.unreachedMarks[0]!.enabledBy).toMatch(/pause/);
    const ok = await runSweep({ worker: "fenced", runs: 60, seed: 2, threads: 1, faultTypes: ["pause"], requireMarks: ["session-expired-under-live-holder"] });
    expect(ok.coverage["session-expired-under-live-holder"]).toBeGreaterThan(0);
    expect(ok.unreachedMarks).toEqual([]);
  });

  // A misspelt built-in mark was reported as one "your worker writes", and its COVERAGE line came
  // before the summary, which then said "no safety check violated": nothing at the end said why
  // the sweep exited 1.
  it("a required mark that no built-in one is named so: a near miss is suggested, and the failure is said last", { timeout: 60_000 }, async () => {
    const lines: string[] = [];
    const s = await runSweep({ worker: "fenced", runs: 20, seed: 2, threads: 1, requireMarks: ["Stale-Commit-Refused", "my-own-mark"], log: (line) => lines.push(line) });
    expect(s.unreachedMarks.map((u) => u.enabledBy)).toEqual([
      'a `mark` record your worker writes (no built-in mark is named "Stale-Commit-Refused"; did you mean stale-commit-refused?)',
      'a `mark` record your worker writes (no built-in mark is named "my-own-mark")',
    ]);
    expect(lines.slice(-2)).toEqual([
      `COVERAGE FAILED: required mark Stale-Commit-Refused was never reached in 20 run(s); it needs ${s.unreachedMarks[0]!.enabledBy} (check --faults)`,
      `COVERAGE FAILED: required mark my-own-mark was never reached in 20 run(s); it needs ${s.unreachedMarks[1]!.enabledBy} (check --faults)`,
    ]);
  });
});
