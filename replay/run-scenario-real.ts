import { randomUUID } from "node:crypto";
import { InMemoryTaskStore } from "../src/in-memory-task-store.js";
import { ConsulClientPort } from "../src/real/consul-client-port.js";
import { cleanUp, type RealLogRecord } from "./real-fleet.js";
import { systemRandom } from "../src/real/system-clock.js";
import { RecordingConsulPort } from "../src/recording-consul-port.js";
import { usesFencedStore, workerKinds, type WorkerKind } from "../src/workers/worker-kinds.js";
import { defaultWorkerSettings, type WorkerSettings } from "../src/workers/worker-types.js";
import { runCheckers } from "../sim/checkers/all-checkers.js";
import type { CheckResult } from "../sim/checkers/check-types.js";
import { describeFault } from "../sim/scenario/apply-faults.js";
import { checkNames, type CheckName, type Fault, type Scenario, type Verdict } from "../sim/scenario/scenario-schema.js";
import { WorkerGate } from "./worker-gate.js";
import type { ConsulCluster } from "./consul-cluster.js";

/** The outcome of a scenario replayed on a real agent. */
export interface RealScenarioRun {
  worker: WorkerKind;
  verdicts: Record<CheckName, Verdict>;
  results: Record<CheckName, CheckResult>;
  records: RealLogRecord[];
  wallMs: number;
  /** Whether every worker was done before the time limit. */
  finished: boolean;
  runPrefix: string;
  /** After cleanup: sessions of the run still alive, keys left under its prefix. */
  leftover: { sessions: number; keys: number };
  /** Faults that cannot be played on this agent (leader failover needs a cluster). */
  skippedFaults: string[];
}

/** Checks that a real run can judge (the model's invariants exist only in the simulator). */
export const realCheckNames: CheckName[] = checkNames.filter((c) => c !== "modelInvariants");

/**
 * Replays a scenario on a real Consul agent: the same worker code with the real clock and the
 * `consul` npm client; faults become real-time wrappers around each worker's ports (WorkerGate),
 * scheduled at the scenario's times from the start of the run. The log has the simulator's trace
 * format and the same checkers judge it. Every session and key of the run is removed afterwards.
 */
export async function runScenarioReal(
  scenario: Scenario,
  options: { worker: WorkerKind; addr: string; timeLimitMs: number; token?: string | undefined; cluster?: ConsulCluster | undefined },
): Promise<RealScenarioRun> {
  const runPrefix = `locksim-replay/${randomUUID()}`;
  const settings: WorkerSettings = {
    ...defaultWorkerSettings,
    ttlMs: scenario.consul.ttlMs,
    lockDelayMs: scenario.consul.lockDelayMs,
    behavior: scenario.consul.behavior,
    ...scenario.settings,
    keyPrefix: `${runPrefix}/service`,
  };
  const t0 = performance.now();
  const records: RealLogRecord[] = [];
  const record = (host: string, kind: string, data?: Record<string, unknown>): void => {
    records.push({ atMs: Math.round(performance.now() - t0), host, kind, data });
  };
  const store = new InMemoryTaskStore({ tasks: scenario.tasks, fenced: usesFencedStore(options.worker), onEvent: (k, d) => record("store", k, d) });
  const recorders: RecordingConsulPort[] = [];
  const clients: ConsulClientPort[] = [];
  const gates = new Map<string, WorkerGate>();
  const state = new Map<string, "running" | "exited" | "crashed">();
  const timers: NodeJS.Timeout[] = [];
  const skippedFaults: string[] = [];
  const stop = new AbortController();
  const ids = Array.from({ length: scenario.workers.count }, (_, i) => `w${i + 1}`);
  let settle: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => (settle = resolve));
  const checkDone = (): void => {
    const faultsPending = performance.now() - t0 < Math.max(0, ...scenario.faults.map((f) => f.atMs));
    if (!faultsPending && ids.every((id) => state.get(id) !== "running") && ids.some((id) => state.get(id) === "exited")) settle();
  };

  const start = (id: string, incarnation: number): void => {
    const gate = new WorkerGate();
    gates.set(id, gate);
    state.set(id, "running");
    const client = new ConsulClientPort({ addr: options.addr, token: options.token });
    const recorder = new RecordingConsulPort(client);
    clients.push(client);
    recorders.push(recorder);
    const clock = gate.clock();
    record(id, "host.start", { incarnation });
    const worker = workerKinds[options.worker]({
      workerId: id,
      clock,
      random: systemRandom,
      consul: gate.consul(recorder),
      store: gate.store(store),
      settings,
      runTask: (task, signal) => clock.sleepMs(task.durationMs, signal),
      log: (kind, data) => {
        if (gate.state !== "crashed") record(id, kind, data);
      },
    });
    void worker.run(stop.signal).then(
      () => {
        if (gates.get(id) !== gate || gate.state === "crashed") return;
        state.set(id, "exited");
        record(id, "host.exit", { incarnation });
        checkDone();
      },
      (error: unknown) => {
        if (gates.get(id) !== gate || gate.state === "crashed") return;
        state.set(id, "exited");
        record(id, "host.failed", { error: error instanceof Error ? error.message : String(error) });
        checkDone();
      },
    );
  };

  const at = (atMs: number, fn: () => void): void => {
    timers.push(setTimeout(fn, Math.max(0, t0 + atMs - performance.now())));
  };

  const apply = (f: Fault): void => {
    const id = "worker" in f ? f.worker : "consul";
    record(id, "fault", { fault: describeFault(f) });
    const gate = gates.get(id);
    switch (f.type) {
      case "crash":
        if (!gate || gate.state === "crashed") return;
        gate.crash();
        state.set(id, "crashed");
        record(id, "host.crash");
        if (f.restartAfterMs !== undefined) at(f.atMs + f.restartAfterMs, () => start(id, 1));
        checkDone();
        return;
      case "pause":
        if (gate?.state !== "running") return;
        gate.pause();
        record(id, "host.pause");
        at(f.atMs + f.durationMs, () => {
          if (gates.get(id) !== gate) return;
          // Held answers are released synchronously; their continuations run after this record.
          const held = gate.resume();
          record(id, "host.resume", { held });
        });
        return;
      case "partition":
        if (!gate) return;
        gate.partition = f.mode;
        record(id, "net.partition", { mode: f.mode });
        at(f.atMs + f.durationMs, () => {
          gates.get(id)!.partition = undefined;
          record(id, "net.heal");
        });
        return;
      case "drop-renewals":
        if (!gate) return;
        gate.dropRenewals = true;
        at(f.atMs + f.durationMs, () => {
          gates.get(id)!.dropRenewals = false;
          record(id, "fault.end", { fault: "renewals flow again" });
        });
        return;
      case "slow-network":
        if (!gate) return;
        gate.latencyMs = Math.round((f.latencyMsMin + f.latencyMsMax) / 2);
        at(f.atMs + f.durationMs, () => {
          gates.get(id)!.latencyMs = 0;
          record(id, "fault.end", { fault: "network latency back to normal" });
        });
        return;
      case "clock-drift":
        if (!gate) return;
        gate.setClockRate(f.rate);
        record(id, "host.clock-rate", { rate: f.rate });
        if (f.durationMs !== undefined) at(f.atMs + f.durationMs, () => gates.get(id)!.setClockRate(1));
        return;
      case "leader-failover": {
        const cluster = options.cluster;
        if (!cluster) {
          skippedFaults.push(describeFault(f));
          record("consul", "fault.skipped", { fault: describeFault(f), why: "a leader failover needs a 3-server cluster; this replay uses one agent" });
          return;
        }
        // The real failover lasts as long as the election takes, not the scenario's unavailableMs.
        void cluster
          .killLeader()
          .then((old) => {
            record("consul", "consul.leader.lost", { killed: old });
            return cluster.waitForNewLeader(old);
          })
          .then(
            (leader) => record("consul", "consul.leader.elected", { leader }),
            (error: unknown) => record("consul", "fault.skipped", { fault: describeFault(f), why: String(error) }),
          );
        return;
      }
    }
  };

  ids.forEach((id, i) => at(i * scenario.workers.startStaggerMs, () => start(id, 0)));
  for (const f of scenario.faults) at(f.atMs, () => apply(f));
  let finished = false;
  const limit = new Promise<void>((resolve) => timers.push(setTimeout(resolve, options.timeLimitMs)));
  try {
    await Promise.race([allDone.then(() => (finished = true)), limit]);
  } finally {
    stop.abort(new Error("replay over"));
    for (const t of timers) clearTimeout(t);
    for (const g of gates.values()) g.crash();
  }
  const wallMs = Math.round(performance.now() - t0);
  const leftover = await cleanUp(options.addr, recorders, runPrefix);
  for (const c of clients) c.close();
  const results = runCheckers({ records, tasks: scenario.tasks });
  const verdicts = Object.fromEntries(checkNames.map((c) => [c, results[c].verdict])) as Record<CheckName, Verdict>;
  return { worker: options.worker, verdicts, results, records, wallMs, finished, runPrefix, leftover, skippedFaults };
}
