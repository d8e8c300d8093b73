import type { Fault, FaultType } from "../scenario/scenario-schema.js";

/** The state of a worker, as both worlds report it. */
export type WorkerLifeState = "idle" | "running" | "paused" | "crashed" | "exited";

/**
 * The fault verbs, in symmetric pairs (design.md §2, Faults): what a world must be able to do to
 * a worker or to Consul. Two implementations exist: the simulated world (sim-fault-verbs.ts) and
 * the real fleet around the worker gate (replay/real-fault-verbs.ts). A verb that a world cannot
 * play returns the reason as a string, and the engine records the fault as skipped.
 */
export interface FaultVerbs {
  /** Where the worker is in its life, so a fault that no longer applies is skipped. */
  workerState(worker: string): WorkerLifeState;
  crash(worker: string): void;
  restart(worker: string): void;
  pause(worker: string): void;
  resume(worker: string): void;
  /** Cuts the worker off from Consul: `drop` swallows packets (calls hang), `reject` refuses or resets (calls fail at once). */
  partition(worker: string, mode: "requests" | "responses" | "both", kind: "drop" | "reject"): void;
  heal(worker: string): void;
  dropRenewals(worker: string): void;
  restoreRenewals(worker: string): void;
  slowNetwork(worker: string, latency: { latencyMsMin: number; latencyMsMax: number }): void;
  restoreNetwork(worker: string): void;
  /** Kills (or stops) the Consul leader; the cluster elects a new one by itself. A string: cannot play it. */
  failover(options: { unavailableMs: number }): string | undefined;
  drift(worker: string, rate: number): void;
  undrift(worker: string): void;
  /** The agent starts refusing `fraction` of the writes with `status` (429 or 503). A string: cannot play it. */
  rateLimit(options: { fraction: number; status: 429 | 503 }): string | undefined;
  /** The agent's write limiter is off again. */
  unrateLimit(): void;
  /** The leader hands over gracefully (it leaves the cluster); the cluster elects a new one by itself. A string: cannot play it. */
  transferLeader(options: { unavailableMs: number }): string | undefined;
}

/** One half of a row: a precondition (a reason to skip) and the verb. */
interface Step<F> {
  skip?: (f: F, v: FaultVerbs) => string | undefined;
  run: (f: F, v: FaultVerbs) => string | undefined | void;
}

/** A row of the fault table: how to apply a fault and, after `undoAfterMs`, how to undo it. */
export interface FaultRow<F extends Fault> {
  apply: Step<F>;
  /** Ms after the fault's `atMs` at which it is undone; undefined: never (a crash without restart). */
  undoAfterMs?: (f: F) => number | undefined;
  undo?: Step<F>;
}

type FaultOf<T extends FaultType> = Extract<Fault, { type: T }>;

const notState = (state: WorkerLifeState) => (f: { worker: string }, v: FaultVerbs): string | undefined => {
  const s = v.workerState(f.worker);
  return s === state ? undefined : `worker is ${s}`;
};

/**
 * Every fault type as one row of (apply, undo). Both worlds play scenarios through this table, so
 * a fault written once plays the same way in each, with the same trace records.
 */
export const faultTable: { [T in FaultType]: FaultRow<FaultOf<T>> } = {
  crash: {
    apply: { skip: (f, v) => (v.workerState(f.worker) === "crashed" ? "already crashed" : undefined), run: (f, v) => v.crash(f.worker) },
    undoAfterMs: (f) => f.restartAfterMs,
    undo: { skip: notState("crashed"), run: (f, v) => v.restart(f.worker) },
  },
  pause: {
    apply: { skip: notState("running"), run: (f, v) => v.pause(f.worker) },
    undoAfterMs: (f) => f.durationMs,
    undo: { skip: notState("paused"), run: (f, v) => v.resume(f.worker) },
  },
  partition: {
    apply: { run: (f, v) => v.partition(f.worker, f.mode, f.kind) },
    undoAfterMs: (f) => f.durationMs,
    undo: { run: (f, v) => v.heal(f.worker) },
  },
  "drop-renewals": {
    apply: { run: (f, v) => v.dropRenewals(f.worker) },
    undoAfterMs: (f) => f.durationMs,
    undo: { run: (f, v) => v.restoreRenewals(f.worker) },
  },
  "slow-network": {
    apply: { run: (f, v) => v.slowNetwork(f.worker, { latencyMsMin: f.latencyMsMin, latencyMsMax: f.latencyMsMax }) },
    undoAfterMs: (f) => f.durationMs,
    undo: { run: (f, v) => v.restoreNetwork(f.worker) },
  },
  // The cluster ends a failover itself (an election); the world records when it does.
  "leader-failover": { apply: { run: (f, v) => v.failover({ unavailableMs: f.unavailableMs }) } },
  "clock-drift": {
    apply: { run: (f, v) => v.drift(f.worker, f.rate) },
    undoAfterMs: (f) => f.durationMs,
    undo: { run: (f, v) => v.undrift(f.worker) },
  },
  "rate-limit": {
    apply: { run: (f, v) => v.rateLimit({ fraction: f.fraction, status: f.status }) },
    undoAfterMs: (f) => f.durationMs,
    undo: { run: (_f, v) => v.unrateLimit() },
  },
  // As a failover, the cluster ends a transfer itself; the world records when it does.
  "leader-transfer": { apply: { run: (f, v) => v.transferLeader({ unavailableMs: f.unavailableMs }) } },
};

/** The row of a fault. */
export function faultRow(f: Fault): FaultRow<Fault> {
  return faultTable[f.type] as FaultRow<Fault>;
}

/** Whom a fault hits: its worker, or "consul". */
export function faultTarget(f: Fault): string {
  return "worker" in f ? f.worker : "consul";
}

/** A short human description of a fault, for the trace and the timeline. */
export function describeFault(f: Fault): string {
  switch (f.type) {
    case "crash":
      return `crash ${f.worker}${f.restartAfterMs !== undefined ? `, restart after ${f.restartAfterMs}ms` : ", no restart"}`;
    case "pause":
      return `pause ${f.worker} for ${f.durationMs}ms`;
    case "partition":
      // A drop partition is described as before kinds existed, so existing traces keep their hashes.
      return `partition ${f.worker} from Consul (${f.mode}${f.kind === "reject" ? ", reject" : ""}) for ${f.durationMs}ms`;
    case "drop-renewals":
      return `drop ${f.worker}'s renewals for ${f.durationMs}ms`;
    case "slow-network":
      return `slow network for ${f.worker}: ${f.latencyMsMin}-${f.latencyMsMax}ms each way for ${f.durationMs}ms`;
    case "leader-failover":
      return `Consul leader failover, no leader for ${f.unavailableMs}ms`;
    case "clock-drift":
      return `clock of ${f.worker} runs at ${f.rate}x${f.durationMs !== undefined ? ` for ${f.durationMs}ms` : ""}`;
    case "rate-limit":
      return `Consul answers ${f.status} to ${Math.round(f.fraction * 100)}% of writes for ${f.durationMs}ms`;
    case "leader-transfer":
      return `Consul leader hands over gracefully, no leader for ${f.unavailableMs}ms`;
  }
}

/** When the last fault (and its undo) is over, in ms. */
export function faultsEndMs(faults: readonly Fault[]): number {
  let end = 0;
  for (const f of faults) {
    const d = f.type === "leader-failover" || f.type === "leader-transfer" ? f.unavailableMs : (faultRow(f).undoAfterMs?.(f) ?? 0);
    end = Math.max(end, f.atMs + d);
  }
  return end;
}
