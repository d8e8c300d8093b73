import { randomUUID } from "node:crypto";
import { InMemoryResource } from "../src/resources/in-memory-resource.js";
import type { ResourcePolicy } from "../src/resources/resource-policy.js";
import { ConsulClientPort } from "../src/real/consul-client-port.js";
import { defaultClientDeadline, describeClientDeadline, sameClientDeadline } from "../src/client-deadline.js";
import { cleanUpRun, type RunCleanup } from "./real-fleet.js";
import { AbortedError } from "../src/errors.js";
import type { CleanupLedger } from "./cleanup-ledger.js";
import { SettlingConsulPort } from "./settling-consul-port.js";
import { TxnEffectPort } from "./txn-effect-port.js";
import { EffectSettlement } from "./effect-settlement.js";
import { systemRandom } from "../src/real/system-clock.js";
import { RecordingConsulPort } from "../src/recording-consul-port.js";
import type { TraceRecord } from "../src/trace-events.js";
import { workerKinds, type WorkerKind } from "../src/workers/worker-kinds.js";
import { clientDeadlineOf, type WorkerFactory, type WorkerSettings } from "../src/workers/worker-types.js";
import { runCheckers } from "../sim/checkers/all-checkers.js";
import type { CheckResult } from "../sim/checkers/check-types.js";
import { playFaults } from "../sim/faults/fault-engine.js";
import type { WorkerLifeState } from "../sim/faults/fault-table.js";
import { fleetDone, scenarioWorkerSettings, verdictsOf } from "../sim/scenario/scenario-run-parts.js";
import type { CheckName, Scenario, Verdict } from "../sim/scenario/scenario-schema.js";
import type { ConsulCluster } from "./consul-cluster.js";
import { RealFaultVerbs, type RealFleetControl } from "./real-fault-verbs.js";
import { RealTrace } from "./real-trace.js";
import { WorkerGate } from "./worker-gate.js";
import { HostFaults } from "./host-faults.js";
import { RealWriteLimiter } from "./real-write-limiter.js";

/** The outcome of a scenario replayed on a real agent. */
export interface RealScenarioRun {
  /** The worker's name (a kind or `file#export`). */
  worker: string;
  verdicts: Record<CheckName, Verdict>;
  results: Record<CheckName, CheckResult>;
  /** The real run's log, in the simulator's trace vocabulary. */
  records: TraceRecord[];
  wallMs: number;
  /** Whether every worker was done before the time limit. */
  finished: boolean;
  runPrefix: string;
  /** After cleanup: sessions of the run still alive, keys left under its prefix. */
  leftover: { sessions: number; keys: number };
  /** Faults that could not be played on this agent (leader failover needs a cluster). */
  skippedFaults: string[];
}

/** Options of runScenarioReal. */
export interface RunScenarioRealOptions {
  /** A reference kind, or a user's factory with its name. */
  worker: WorkerKind | { name: string; factory: WorkerFactory };
  addr: string;
  /** Real ms after which the run is stopped even if workers are still busy. */
  timeLimitMs: number;
  token?: string | undefined;
  cluster?: ConsulCluster | undefined;
  /** Where the tasks' effects land. Default "highest-token", as in the simulator. */
  resource?: ResourcePolicy | undefined;
  /**
   * Stops the run at once when it aborts (Ctrl+C): the workers are stopped, the run's sessions and
   * keys removed, and the promise rejects with AbortedError. Default: none.
   */
  signal?: AbortSignal | undefined;
  /** Told what the run removed when it was stopped, and given a fallback cleanup meanwhile. */
  ledger?: CleanupLedger | undefined;
  /**
   * The agent is locksim's own and disposable (a `consul agent -dev` or a cluster started for this
   * replay): if it no longer answers when a stopped run cleans up (a terminal's Ctrl+C reaches the
   * agents locksim started too), what the run wrote went with it. Default false: the fallback stays
   * registered and the closing report names what may be left.
   */
  disposableAgent?: boolean | undefined;
}

/** How long a stopped run waits for writes in flight before cleaning up (ms): answers on loopback take milliseconds. */
const settleTimeoutMs = 3_000;

/** The running workers of a real replay: one host per worker, one gate per incarnation, states, timers. */
class RealFleet implements RealFleetControl {
  readonly gates = new Map<string, WorkerGate>();
  /** Each worker's host faults, shared by the gates of its incarnations (as sim/host.ts's Host outlives a crash). */
  readonly hosts = new Map<string, HostFaults>();
  readonly states = new Map<string, WorkerLifeState>();
  /** Each worker's live incarnation (0 until a crash), as sim/host.ts keeps it: a crash moves it on. */
  readonly incarnations = new Map<string, number>();
  readonly recorders: RecordingConsulPort[] = [];
  readonly settling: SettlingConsulPort[] = [];
  /** Effect writes of every incarnation, also those without a verdict (settled in closeRun). */
  readonly effects: EffectSettlement = new EffectSettlement((c) => this.store.recordConsulEffect(c));
  readonly clients: ConsulClientPort[] = [];
  readonly timers: NodeJS.Timeout[] = [];
  readonly stop = new AbortController();
  onChange: () => void = () => undefined;

  constructor(
    readonly log: RealTrace,
    private readonly options: RunScenarioRealOptions,
    private readonly store: InMemoryResource,
    private readonly settings: WorkerSettings,
    readonly limiter: RealWriteLimiter,
  ) {}

  gate(worker: string): WorkerGate | undefined {
    return this.gates.get(worker);
  }
  host(worker: string): HostFaults {
    let host = this.hosts.get(worker);
    if (!host) {
      host = new HostFaults();
      this.hosts.set(worker, host);
    }
    return host;
  }
  state(worker: string): WorkerLifeState {
    return this.states.get(worker) ?? "idle";
  }
  setState(worker: string, state: WorkerLifeState): void {
    this.states.set(worker, state);
    this.onChange();
  }
  timer(atMs: number, run: () => void): void {
    this.timers.push(setTimeout(run, Math.max(0, this.log.realMsAt(atMs) - performance.now())));
  }
  /** The worker's live incarnation: 0 for the first start, +1 for each crash (or restart after an exit). */
  incarnation(worker: string): number {
    return this.incarnations.get(worker) ?? 0;
  }
  crash(worker: string): void {
    this.gates.get(worker)?.crash();
    this.incarnations.set(worker, this.incarnation(worker) + 1);
    this.setState(worker, "crashed");
  }
  restart(worker: string): void {
    // As sim/host.ts: a crash moved the incarnation on already; an exit moves it on here.
    if (this.state(worker) === "exited") this.incarnations.set(worker, this.incarnation(worker) + 1);
    this.start(worker);
  }

  /**
   * The worker's first start, due at `atMs` (workers.startStaggerMs): dropped if the worker was
   * crashed before it, as the simulator's start event goes stale when the host's incarnation moves
   * on; a restart has then started it already, or will.
   */
  scheduleStart(id: string, atMs: number): void {
    const incarnation = this.incarnation(id);
    this.timer(atMs, () => {
      if (this.incarnation(id) === incarnation && this.state(id) === "idle") this.start(id);
    });
  }

  /** Starts the worker's live incarnation behind a fresh gate on the worker's host (its faults carry over). */
  private start(id: string): void {
    const incarnation = this.incarnation(id);
    const w = this.options.worker;
    const factory = typeof w === "string" ? workerKinds[w] : w.factory;
    // The same client deadline as in the simulator: the settings', else the worker kind's own.
    const clientDeadline = clientDeadlineOf(factory, this.settings);
    const gate: WorkerGate = new WorkerGate({
      clientDeadline,
      host: this.host(id),
      record: (event) => {
        if (gate.state !== "crashed") this.log.emit(id, event);
      },
    });
    this.gates.set(id, gate);
    this.states.set(id, "running");
    const client = new ConsulClientPort({ addr: this.options.addr, token: this.options.token, clientDeadline });
    const recorder = new RecordingConsulPort(client);
    // Effects written into Consul count where the agent applied them, below the gate.
    const settling = new SettlingConsulPort(new TxnEffectPort(recorder, { keyPrefix: this.settings.keyPrefix, settlement: this.effects }));
    this.clients.push(client);
    this.recorders.push(recorder);
    this.settling.push(settling);
    const clock = gate.clock();
    this.log.record(id, "host.start", { incarnation });
    if (!sameClientDeadline(clientDeadline, defaultClientDeadline)) this.log.record(id, "host.client-deadline", { deadline: describeClientDeadline(clientDeadline) });
    const worker = factory({
      workerId: id,
      clock,
      random: systemRandom,
      consul: gate.consul(this.limiter.port(settling)),
      store: gate.store(this.store),
      settings: { ...this.settings, clientDeadline },
      runTask: (task, signal) => clock.sleepMs(task.durationMs, signal),
      log: (kind, ...data) => {
        if (gate.state !== "crashed") this.log.record(id, kind, ...data);
      },
    });
    const current = (): boolean => this.gates.get(id) === gate && gate.state !== "crashed";
    void worker.run(this.stop.signal).then(
      () => {
        if (!current()) return;
        this.log.record(id, "host.exit", { incarnation });
        this.setState(id, "exited");
      },
      (error: unknown) => {
        if (!current()) return;
        this.log.record(id, "host.failed", { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
        this.setState(id, "exited");
      },
    );
  }
}

/**
 * Replays a scenario on a real Consul agent: the same worker code with the real clock and the
 * `consul` npm client; faults are played by the same fault engine as in the simulator, through
 * real-time verbs around each worker's ports (RealFaultVerbs, WorkerGate). The log is written in
 * the simulator's trace vocabulary and the same checkers judge it. Every session and key of the run
 * is removed afterwards, also when `options.signal` stops it early (it then rejects with AbortedError).
 */
export async function runScenarioReal(scenario: Scenario, options: RunScenarioRealOptions): Promise<RealScenarioRun> {
  const signal = options.signal;
  if (signal?.aborted) throw new AbortedError("real replay", signal.reason);
  const runPrefix = `locksim-replay/${randomUUID()}`;
  const log = new RealTrace();
  const store = new InMemoryResource({ tasks: scenario.tasks, policy: options.resource, onEvent: (e) => log.emit("store", e) });
  const fleet = new RealFleet(log, options, store, scenarioWorkerSettings(scenario, { keyPrefix: `${runPrefix}/service` }), new RealWriteLimiter({ seed: scenario.seed, log }));
  const verbs = new RealFaultVerbs(fleet, log, options.cluster);
  const ids = Array.from({ length: scenario.workers.count }, (_, i) => `w${i + 1}`);
  let settle: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => (settle = resolve));
  fleet.onChange = () => {
    if (fleetDone({ elapsedMs: log.elapsedMs(), scenario, states: ids.map((id) => fleet.state(id)) })) settle();
  };
  const cleanup = (): Promise<RunCleanup> => cleanUpRun({ addr: options.addr, ports: fleet.recorders, runPrefix, token: options.token });
  const unregister = options.ledger?.register(`the sessions and keys of ${runPrefix}`, async () => void (await cleanup()));
  ids.forEach((id, i) => fleet.scheduleStart(id, i * scenario.workers.startStaggerMs));
  playFaults({ faults: scenario.faults, verbs, stage: verbs.stage() });
  // A fault that is due last may find every worker already done: check again once it has fired.
  fleet.timer(Math.max(0, ...scenario.faults.map((f) => f.atMs)) + 1, () => fleet.onChange());
  let finished = false;
  const limit = new Promise<void>((resolve) => fleet.timers.push(setTimeout(resolve, options.timeLimitMs)));
  let onAbort = (): void => undefined;
  const stopped = new Promise<void>((resolve) => signal?.addEventListener("abort", (onAbort = () => resolve()), { once: true }));
  try {
    await Promise.race([allDone.then(() => (finished = true)), limit, stopped]);
  } finally {
    signal?.removeEventListener("abort", onAbort);
    fleet.stop.abort(signal?.reason ?? new Error("replay over"));
    for (const t of fleet.timers) clearTimeout(t);
    for (const g of fleet.gates.values()) g.crash();
  }
  const wallMs = Math.round(log.elapsedMs());
  const worker = typeof options.worker === "string" ? options.worker : options.worker.name;
  const leftover = await closeRun(fleet, { scenario, options, runPrefix, worker, cleanup, unregister });
  const records = log.trace.records;
  const results = runCheckers({ records, tasks: scenario.tasks });
  const skippedFaults = records.flatMap((r) => (r.kind === "fault.skipped" ? [r.data.fault] : []));
  return { worker, verdicts: verdictsOf(results), results, records, wallMs, finished, runPrefix, leftover, skippedFaults };
}

/** What closeRun needs of the run. */
interface ClosingRun {
  scenario: Scenario;
  options: RunScenarioRealOptions;
  runPrefix: string;
  worker: string;
  cleanup: () => Promise<RunCleanup>;
  /** Removes the ledger's fallback for this run's sessions and keys. */
  unregister: (() => void) | undefined;
}

/**
 * After the workers stopped: waits for the writes still in flight (they may create a session or
 * key after the cleanup otherwise), removes the run's sessions and keys, and returns what is left.
 * A stopped run reports what it removed to the ledger and rejects with AbortedError.
 */
async function closeRun(fleet: RealFleet, run: ClosingRun): Promise<RunCleanup["leftover"]> {
  const { options, runPrefix, worker } = run;
  const signal = options.signal;
  await Promise.all(fleet.settling.map((p) => p.settled(settleTimeoutMs)));
  // Transactions that failed without a verdict (5xx, time-out) are judged by the effect key now.
  await fleet.effects.settle();
  let cleaned: RunCleanup;
  try {
    cleaned = await run.cleanup();
  } catch (error) {
    if (!signal?.aborted) throw error;
    // The agent may be gone. Locksim's own disposable agent took the run's state with it; on the
    // user's agent the fallback stays registered, so the closing report names what may be left.
    if (options.disposableAgent) {
      run.unregister?.();
      options.ledger?.noteRemoved(`the sessions and keys of ${runPrefix} (worker ${worker}), with the agent locksim started (their own cleanup failed: ${error instanceof Error ? error.message : String(error)})`);
    }
    throw new AbortedError(`real replay of ${run.scenario.name} (worker ${worker}); its cleanup failed: ${error instanceof Error ? error.message : String(error)}`, signal.reason);
  } finally {
    for (const c of fleet.clients) c.close();
  }
  run.unregister?.();
  const { removed, leftover } = cleaned;
  if (signal?.aborted) {
    options.ledger?.noteRemoved(`${removed.sessions} session(s) and ${removed.keys} key(s) of ${runPrefix} (worker ${worker})${leftover.sessions + leftover.keys ? `; LEFT ${leftover.sessions} session(s), ${leftover.keys} key(s)` : ""}`);
    throw new AbortedError(`real replay of ${run.scenario.name} (worker ${worker})`, signal.reason);
  }
  return leftover;
}
