import { describe, expect, it } from "vitest";
import { runSweep } from "../../properties/sweep.js";
import { loadScenario, parseScenario } from "../../sim/scenario/load-scenario.js";
import { runScenario } from "../../sim/scenario/run-scenario.js";
import type { ConsulPort } from "../../src/ports/consul-port.js";
import { effectTxnOps, txnFencedWorker } from "../../src/workers/txn-fenced-worker.js";
import type { WorkerFactory } from "../../src/workers/worker-types.js";

const late = await loadScenario("scenarios/txn-fenced-late-write-refused.json");

describe("txn-fenced: the effect is a Consul transaction guarded by check-session", () => {
  it("puts check-session on its own lock first, then the write, and nothing else", () => {
    const ops = effectTxnOps({ lock: { key: "service/t1/leader", session: "S", token: 14 }, effectKey: "service/t1/effect", workerId: "w1" });
    expect(ops).toEqual([
      { verb: "check-session", key: "service/t1/leader", session: "S" },
      { verb: "set", key: "service/t1/effect", value: '{"worker":"w1","token":14}' },
    ]);
  });

  it("a paused holder's late write is refused by Consul, while a plain write takes effect twice", async () => {
    const run = await runScenario(late, { worker: "txn-fenced" });
    const commits = run.fleet.world.trace.ofKind("store.commit").map((r) => r.data);
    const sessions = new Map(run.fleet.world.trace.ofKind("lock.acquired").map((r) => [r.host, r.data.session]));
    // w1 resumed after Consul had given the lock to w2: the check-session, op 0, refused it.
    expect(commits).toEqual([
      { task: "t1", worker: "w1", token: expect.any(Number), accepted: false, reason: `consul: failed session check for key "service/t1/leader", current session "${sessions.get("w2")}" != "${sessions.get("w1")}"` },
      { task: "t1", worker: "w2", token: expect.any(Number), accepted: true },
    ]);
    // What Consul holds is w2's effect, and only it.
    const effect = run.fleet.model.state.kv.get("service/t1/effect");
    expect(JSON.parse(Buffer.from(effect!.value!, "base64").toString())).toEqual({ worker: "w2", token: commits[1]!.token });
    expect(run.verdicts.atMostOnce).toBe("holds");
    const naive = await runScenario(late, { worker: "naive" });
    expect(naive.results.atMostOnce.detail).toMatch(/took effect twice: by w1 at 74\d{3}ms and by w2/);
  });

  it("without its check-session, the same worker's late write takes effect twice (the check is what fences)", async () => {
    const unguarded: WorkerFactory = (env) => {
      const consul: ConsulPort = Object.create(env.consul) as ConsulPort;
      consul.txn = (ops, options) => env.consul.txn(ops.filter((op) => op.verb !== "check-session"), options);
      return txnFencedWorker({ ...env, consul });
    };
    const run = await runScenario(late, { worker: unguarded, workerName: "txn-fenced-without-check-session" });
    expect(run.verdicts.atMostOnce).toBe("violated");
    expect(run.results.atMostOnce.detail).toMatch(/took effect twice: by w1 at \d+ms and by w2/);
  });

  it("a transaction applied whose answer was lost counts once, where Consul applied it, and is never written again", async () => {
    const scenario = parseScenario(
      {
        name: "txn-answer-lost",
        why: "w1's commit reaches Consul but its answer is lost",
        seed: 7,
        consul: { ttlMs: 10_000 },
        workers: { count: 2, startStaggerMs: 1_000 },
        tasks: [{ id: "t1", durationMs: 30_000 }],
        faults: [{ type: "partition", atMs: 29_000, worker: "w1", durationMs: 15_000, mode: "responses" }],
        horizonMs: 600_000,
        expect: { "txn-fenced": {} },
      },
      "inline",
    );
    const run = await runScenario(scenario, { worker: "txn-fenced" });
    const records = run.fleet.world.trace.records;
    const commits = records.filter((r) => r.kind === "store.commit");
    expect(commits.map((r) => [r.host, r.data])).toEqual([["store", { task: "t1", worker: "w1", token: expect.any(Number), accepted: true }]]);
    // w1 never heard: it marked the commit unanswered, after the commit had been recorded.
    const unanswered = records.findIndex((r) => r.kind === "mark" && r.data.name === "txn-commit-unanswered" && r.host === "w1");
    expect(unanswered).toBeGreaterThan(records.indexOf(commits[0]!));
    expect(run.verdicts).toMatchObject({ atMostOnce: "holds", liveness: "holds", fencing: "holds" });
  });

  it("a 1,000-run sweep with every fault type allowed: at-most-once holds", { timeout: 300_000 }, async () => {
    const summary = await runSweep({ worker: "txn-fenced", runs: 1_000, seed: 1, threads: 1, keepGoing: true });
    expect(summary.runs).toBe(1_000);
    expect(summary.violations.atMostOnce).toBe(0);
    expect(summary.violations.fencing).toBe(0);
    expect(summary.violations.modelInvariants).toBe(0);
    // The faults reached what matters: sessions expired under live holders, and Consul refused late effects.
    expect(summary.coverage["session-expired-under-live-holder"]).toBeGreaterThan(0);
    expect(summary.coverage["effect-refused-by-consul"]).toBeGreaterThan(0);
    console.log(`txn-fenced: ${summary.runs} runs, ${summary.runsPerSec} runs/s, violations ${JSON.stringify(summary.violations)}, refused ${summary.coverage["effect-refused-by-consul"]}`);
  });
});
