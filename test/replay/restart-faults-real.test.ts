import { afterAll, describe, expect, it } from "vitest";
import { runScenarioReal } from "../../replay/run-scenario-real.js";
import { parseScenario } from "../../sim/scenario/load-scenario.js";
import { runScenario } from "../../sim/scenario/run-scenario.js";
import type { TraceRecord } from "../../src/trace-events.js";
import type { WorkerFactory } from "../../src/workers/worker-types.js";
import { realConsulForTests } from "../real-consul.js";

const agent = await realConsulForTests();

/**
 * In the simulator a partition, dropped renewals, a slow network and clock drift belong to the
 * host (sim/network.ts links, SimFaultVerbs.renewFaults, sim/host.ts's clock), so they outlive a
 * crash and the restart after it until they are undone; a pause does not (a crash drops it). These
 * tests play such stories in both worlds and check that the real replay's new incarnation meets the
 * faults its predecessor met, as the simulator's does. The two replays wait in real time (about
 * 30 s and 13 s); they run at once, each under its own key prefix.
 */
describe.skipIf(!agent)("faults of a host outlive a crash and restart, in both worlds (real Consul 1.8.7)", () => {
  afterAll(async () => {
    await agent?.stop();
  });

  it.concurrent("a partition active across a crash and restart cuts the new incarnation off until the heal", { timeout: 150_000 }, async () => {
    // w1 holds t1 when it is partitioned (reject, both ways) at 2 s and crashed at 3 s; it restarts
    // at 4 s, inside the partition, which heals at 10 s. Its old session holds the key until Consul
    // expires it (about 2×TTL), after which the restarted w1 takes t1 and commits it.
    const scenario = parseScenario(
      {
        name: "partition-across-restart",
        why: "a partition outlives the crash and restart of its worker",
        seed: 1,
        consul: { ttlMs: 10_000, lockDelayMs: 0 },
        workers: { count: 1 },
        tasks: [{ id: "t1", durationMs: 6_000 }],
        // Attempts every 2.5 s from the restart (4, 6.5, 9, 11.5 s): none falls near the heal.
        settings: { passIntervalMs: 2_500 },
        faults: [
          { type: "partition", atMs: 2_000, worker: "w1", durationMs: 8_000, mode: "both", kind: "reject" },
          { type: "crash", atMs: 3_000, worker: "w1", restartAfterMs: 1_000 },
        ],
        horizonMs: 120_000,
        expect: { naive: {} },
      },
      "partition-across-restart",
    );
    const sim = (await runScenario(scenario, { worker: "naive" })).fleet.world.trace.records;
    const real = await runScenarioReal(scenario, { worker: "naive", addr: agent!.addr, timeLimitMs: 100_000 });
    expect(real.finished, "the real worker finished").toBe(true);
    expect(real.leftover).toEqual({ sessions: 0, keys: 0 });
    // The same story in both worlds; repeated resets (one per attempt, as many as the pass interval allows) count once.
    expect(story(real.records)).toEqual(story(sim));
    expect(story(sim)).toEqual([
      "host.start 0",
      "lock.acquired",
      "task.start",
      "fault.applied partition",
      "net.partition",
      "fault.applied crash",
      "host.crash",
      "fault.undone crash",
      "host.start 1",
      "net.reset",
      "fault.undone partition",
      "net.heal",
      "lock.acquired",
      "task.start",
      "task.end",
      "lock.released",
      "worker.done",
      "host.exit",
    ]);
    for (const records of [sim, real.records]) {
      const restartAt = records.findIndex((r) => r.kind === "host.start" && r.data.incarnation === 1);
      const healAt = records.findIndex((r) => r.kind === "net.heal");
      const cutOff = records.slice(restartAt, healAt).filter((r) => r.host === "w1");
      // Each attempt of the new incarnation failed at once, as the old one's calls would have: refused.
      const errors = cutOff.filter((r) => r.kind === "lock.error");
      expect(errors.length).toBeGreaterThan(0);
      for (const e of errors) expect(e.kind === "lock.error" && e.data.error).toMatch(/connection refused \(partition: reject\)/);
      expect(cutOff.filter((r) => r.kind === "task.outcome").map((r) => r.kind === "task.outcome" && r.data.outcome)).toEqual(errors.map(() => "error"));
      // After the heal its calls go through: no reset, and t1 is committed once.
      expect(records.slice(healAt).filter((r) => r.kind === "net.reset")).toEqual([]);
      expect(records.filter((r) => r.kind === "task.outcome" && r.data.outcome === "committed")).toHaveLength(1);
    }
  });

  it.concurrent("dropped renewals, extra latency and clock drift carry over to the new incarnation, a pause does not", { timeout: 150_000 }, async () => {
    const scenario = parseScenario(
      {
        name: "host-faults-across-restart",
        why: "host faults outlive the crash and restart of their worker",
        seed: 1,
        consul: { ttlMs: 10_000, lockDelayMs: 0 },
        workers: { count: 2 },
        tasks: [{ id: "t1", durationMs: 1_000 }],
        faults: [
          { type: "drop-renewals", atMs: 1_000, worker: "w1", durationMs: 10_000 },
          { type: "slow-network", atMs: 1_000, worker: "w1", durationMs: 10_000, latencyMsMin: 5_000, latencyMsMax: 5_000 },
          { type: "clock-drift", atMs: 1_000, worker: "w1", rate: 2, durationMs: 10_000 },
          { type: "crash", atMs: 3_000, worker: "w1", restartAfterMs: 1_000 },
          // w2 is paused at 1 s for 5 s, crashed at 2 s and restarted at 3 s: the new incarnation runs at once.
          { type: "pause", atMs: 1_000, worker: "w2", durationMs: 5_000 },
          { type: "crash", atMs: 2_000, worker: "w2", restartAfterMs: 1_000 },
        ],
        horizonMs: 120_000,
        expect: { probe: {} },
      },
      "host-faults-across-restart",
    );
    const sim = (await runScenario(scenario, { worker: probeWorker(), workerName: "probe" })).fleet.world.trace.records;
    const real = await runScenarioReal(scenario, { worker: { name: "probe", factory: probeWorker() }, addr: agent!.addr, timeLimitMs: 100_000 });
    expect(real.finished, "the real workers finished").toBe(true);
    expect(real.leftover).toEqual({ sessions: 0, keys: 0 });
    for (const records of [sim, real.records]) {
      expect(probes(records, "w1")).toEqual([
        "start 0 renew=- read=-",
        "during 0 renew=dropped read=timed-out",
        "start 1 renew=- read=-",
        "during 1 renew=dropped read=timed-out",
        "after 1 renew=not-found read=answered",
      ]);
      expect(probes(records, "w2")).toEqual(["start 0 renew=- read=-", "start 1 renew=- read=-"]);
      // The resume of w2's pause met a running worker: a pause ends with its incarnation.
      expect(records.filter((r) => r.kind === "fault.skipped").map((r) => r.kind === "fault.skipped" && `${r.data.fault}: ${r.data.why}`)).toEqual(["pause w2 for 5000ms: undo: worker is running"]);
      // w1's clock ran at 2x from 1 s to 11 s, through the restart: between any two of its readings
      // in that span, it advanced twice as far as the run's time (both read at the same instants).
      const drifting = records.filter((r) => r.host === "w1" && r.kind === "mark" && r.atMs > 1_000 && r.atMs < 11_000);
      const first = drifting[0]!;
      const last = drifting.at(-1)!;
      expect(last.kind === "mark" && last.data.incarnation).toBe(1);
      const rate = (localOf(last) - localOf(first)) / (last.atMs - first.atMs);
      expect(rate).toBeGreaterThan(1.95);
      expect(rate).toBeLessThan(2.05);
    }
  });
});

/** A trace's story for one worker run: its faults, life, partition and lock records, repeats of a record once. */
function story(records: readonly TraceRecord[]): string[] {
  const kinds = new Set(["host.start", "host.crash", "host.exit", "fault.applied", "fault.undone", "net.partition", "net.heal", "net.reset", "lock.acquired", "lock.released", "task.start", "task.end", "worker.done"]);
  const lines = records
    .filter((r) => kinds.has(r.kind) && r.host !== "store")
    .map((r) => (r.kind === "host.start" ? `host.start ${r.data.incarnation}` : r.kind === "fault.applied" || r.kind === "fault.undone" ? `${r.kind} ${r.data.type}` : r.kind));
  return lines.filter((line, i) => line !== lines[i - 1]);
}

const localOf = (r: TraceRecord): number => (r.kind === "mark" ? Number(r.data.localMs) : Number.NaN);

/** One probe worker's marks, in order: what it probed, its incarnation, and what it found. */
function probes(records: readonly TraceRecord[], host: string): string[] {
  return records.flatMap((r) => (r.kind === "mark" && r.host === host ? [`${r.data.name} ${String(r.data.incarnation)} renew=${String(r.data.renew ?? "-")} read=${String(r.data.read ?? "-")}`] : []));
}

/** A session id that no agent holds: a renewal that reaches Consul answers 404. */
const absentSession = "00000000-0000-0000-0000-000000000000";

const outcomeOf = (error: unknown): string => (error instanceof Error && /no response within/.test(error.message) ? "timed-out" : error instanceof Error && /renewal dropped/.test(error.message) ? "dropped" : `failed: ${String(error)}`);

/**
 * A worker that probes its host's faults rather than running tasks: it marks each start with its
 * incarnation and local clock; w1 renews an absent session (dropped, or 404 from Consul) and reads
 * a key with a 500 ms time-out (which a 5 s latency exceeds) inside the faults' span — before its
 * crash and again after its restart — and once more, without a time-out, after they are undone.
 * w2 only marks its starts.
 */
function probeWorker(): WorkerFactory {
  const starts = new Map<string, number>();
  return (env) => {
    const incarnation = starts.get(env.workerId) ?? 0;
    starts.set(env.workerId, incarnation + 1);
    const mark = (name: string, found: { renew?: string; read?: string } = {}): void => env.log("mark", { name, incarnation, localMs: Math.round(env.clock.nowMs()), ...found });
    const probe = async (name: string, readTimeoutMs: number | undefined): Promise<void> => {
      const renew = await env.consul.sessionRenew(absentSession).then((s) => (s === null ? "not-found" : "renewed"), outcomeOf);
      const read = await env.consul.kvGet(`${env.settings.keyPrefix}/probe`, readTimeoutMs === undefined ? undefined : { timeoutMs: readTimeoutMs }).then(() => "answered", outcomeOf);
      mark(name, { renew, read });
    };
    return {
      async run(signal) {
        mark("start");
        // w2: its first incarnation waits to be paused and crashed; the second runs past the resume's time (6 s).
        if (env.workerId !== "w1") return env.clock.sleepMs(incarnation === 0 ? 600_000 : 5_000, signal);
        if (incarnation === 0) {
          // Inside the faults (from 1 s) and before the crash (3 s); then wait to be crashed.
          await env.clock.sleepMs(1_200, signal);
          await probe("during", 500);
          await env.clock.sleepMs(600_000, signal);
          return;
        }
        await probe("during", 500);
        // 16 s of a clock that runs at 2x: past 11 s, when the faults are undone.
        await env.clock.sleepMs(16_000, signal);
        await probe("after", undefined);
      },
    };
  };
}
