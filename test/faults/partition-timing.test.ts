import { describe, expect, it } from "vitest";
import { unsafeWindowsOf } from "../../sim/report/unsafe-window.js";
import { runScenario, type ScenarioRun } from "../../sim/scenario/run-scenario.js";
import { defaultClientDeadline } from "../../src/client-deadline.js";
import { holderAcquiredByMs, partitionTimingScenario } from "./partition-timing-scenario.js";

/** The 12 evenly spaced moments of issue 12: 0, 30, …, 330 s after the holder acquired the lock. */
const momentsMs = Array.from({ length: 12 }, (_, i) => i * 30_000);

/** The one unsafe window of a run, as the report measures it from the trace. */
function windowOf(run: ScenarioRun) {
  const windows = unsafeWindowsOf(run);
  expect(windows).toHaveLength(1);
  return windows[0]!;
}

/** w1 held the lock before the partition: the moments are counted from its acquire. */
function expectHolderFirst(run: ScenarioRun): void {
  const acquired = run.fleet.world.trace.records.find((r) => r.kind === "lock.acquired");
  expect(acquired?.host).toBe("w1");
  expect(acquired!.atMs).toBeLessThanOrEqual(holderAcquiredByMs);
}

describe("partition timing (issue 12): a drop-all partition of the consul-api-lock holder, whenever it starts", () => {
  // A 10-minute partition and a 15-minute task: only the Go client's keep-alive can end the holder's run early.
  const long = { partitionMs: 600_000, taskMs: 900_000 };

  it("violates exclusive execution with an overlap of at least a minute at each of 12 moments from 0 to 330 s", async () => {
    const overlaps: number[] = [];
    for (const momentMs of momentsMs) {
      const run = await runScenario(partitionTimingScenario({ momentMs, ...long }), { worker: "consul-api-lock" });
      expectHolderFirst(run);
      expect(run.verdicts.exclusiveExecution, `moment ${momentMs / 1_000}s`).toBe("violated");
      const w = windowOf(run);
      expect(w.holders.map((h) => h.worker)).toEqual(["w1", "w2"]);
      overlaps.push(w.overlapMs);
      // The right reason: the session expired under the live holder, w2 took the lock, and w1's
      // monitor read (no client time-out) never failed until its keep-alive gave up, 5 minutes into the silence.
      const records = run.fleet.world.trace.records;
      expect(records.some((r) => r.kind === "consul.session.expire" && r.atMs < w.startMs)).toBe(true);
      expect(records.filter((r) => r.host === "w1" && r.kind === "net.timeout")).toEqual([]);
      const partitionAtMs = holderAcquiredByMs + momentMs;
      const gaveUp = records.find((r) => r.host === "w1" && r.kind === "net.gave-up" && r.data.op === "kv.get");
      expect(gaveUp?.atMs).toBe(partitionAtMs + 300_000);
      expect(w.holders[0].endedBy).toBe("abort");
      expect(w.endMs).toBe(gaveUp!.atMs);
    }
    console.log(`overlap per moment (s), Go client deadline: ${overlaps.map((o) => (o / 1_000).toFixed(1)).join(", ")}`);
    for (const o of overlaps) expect(o).toBeGreaterThanOrEqual(60_000);
  });

  it("the old deadline (wait + wait/16 + 10 s from the send) gives the sawtooth the Go client does not have", async () => {
    const overlaps: number[] = [];
    for (const momentMs of momentsMs) {
      const run = await runScenario(partitionTimingScenario({ momentMs, ...long, clientDeadline: defaultClientDeadline }), { worker: "consul-api-lock" });
      expectHolderFirst(run);
      overlaps.push(unsafeWindowsOf(run)[0]?.overlapMs ?? 0);
    }
    console.log(`overlap per moment (s), old deadline: ${overlaps.map((o) => (o / 1_000).toFixed(1)).join(", ")}`);
    // Partitioned early in its 5-minute read, the holder overlaps for minutes; near the read's
    // deadline it notices within a minute and the overlap shrinks below a minute or vanishes.
    expect(Math.max(...overlaps)).toBeGreaterThanOrEqual(60_000);
    expect(overlaps.filter((o) => o < 60_000).length).toBeGreaterThan(0);
  });

  // The two moments replayed on a real agent (test/replay/partition-real.test.ts) use a 2-minute
  // partition and a task just long enough, so each real run lasts about 4 minutes.
  for (const momentMs of [0, 30_000]) {
    it(`moment ${momentMs / 1_000} s with a 2-minute partition: the heal delivers the held answer, after an overlap of at least a minute`, async () => {
      const run = await runScenario(partitionTimingScenario({ momentMs, partitionMs: 120_000, taskMs: 160_000 }), { worker: "consul-api-lock" });
      expectHolderFirst(run);
      expect(run.verdicts.exclusiveExecution).toBe("violated");
      const w = windowOf(run);
      expect(w.overlapMs).toBeGreaterThanOrEqual(60_000);
      const healAtMs = holderAcquiredByMs + momentMs + 120_000;
      const records = run.fleet.world.trace.records;
      // The monitor's blocking read was answered while the link dropped packets; TCP delivered that answer after the heal.
      const retransmitted = records.find((r) => r.host === "w1" && r.kind === "net.retransmit" && r.data.op === "kv.get");
      expect(retransmitted).toMatchObject({ atMs: healAtMs, data: { dir: "response" } });
      expect(w.endMs).toBeGreaterThan(healAtMs);
      expect(w.endMs - healAtMs).toBeLessThan(100);
    });
  }
});
