import { defaultClientDeadline, type ClientDeadline } from "../client-deadline.js";
import type { HeldLock } from "../lease/held-lock.js";
import type { Clock } from "../ports/clock.js";
import type { ConsulPort } from "../ports/consul-port.js";
import type { Random } from "../ports/random.js";
import type { TaskSpec, TaskStore } from "../ports/task-store.js";
import type { TraceLog } from "../trace-events.js";

/** Settings every worker kind reads; durations in ms. */
export interface WorkerSettings {
  /** Session TTL. Consul accepts 10,000–86,400,000. Default 15,000. */
  ttlMs: number;
  /** Session LockDelay; undefined = Consul's default (15,000). */
  lockDelayMs?: number | undefined;
  /** Session behavior; undefined = the worker kind's own choice (naive: delete, others: release). */
  behavior?: "release" | "delete" | undefined;
  /** Pause between two passes over the pending tasks. Default 5,000. */
  passIntervalMs: number;
  /** Lock keys are `<keyPrefix>/<task>/leader`. Default "service". */
  keyPrefix: string;
  /** consul-api-lock: LockWaitTime with LockTryOnce, i.e. how long to wait on a held lock. Default 1,000. */
  lockWaitTimeMs: number;
  /** fenced: the local lease ends this long before TTL after the last confirmed renew. Default 2,000. */
  leaseSafetyMarginMs: number;
  /**
   * How long the worker's Consul client waits before it gives up on a call (src/client-deadline.ts).
   * The harness builds the worker's ConsulPort with it, in the simulator and on a real agent alike.
   * Undefined: the worker factory's own (`WorkerFactory.clientDeadline`: consul-api-lock has the Go
   * client's), else `defaultClientDeadline`. The harness fills in the one it applied.
   */
  clientDeadline?: ClientDeadline | undefined;
}

/** The defaults of WorkerSettings, stated once. */
export const defaultWorkerSettings: WorkerSettings = {
  ttlMs: 15_000,
  lockDelayMs: undefined,
  passIntervalMs: 5_000,
  keyPrefix: "service",
  lockWaitTimeMs: 1_000,
  leaseSafetyMarginMs: 2_000,
};

/** Everything a worker gets from outside: its ports, its id, its settings and the task body. */
export interface WorkerEnv {
  workerId: string;
  clock: Clock;
  random: Random;
  consul: ConsulPort;
  store: TaskStore;
  settings: WorkerSettings;
  /** The task body: the work itself (not the effect). Must stop when `signal` aborts. */
  runTask(task: TaskSpec, signal: AbortSignal): Promise<void>;
  /**
   * Records an event in the typed vocabulary of src/trace-events.ts (the simulator's trace, or a
   * real run's log). The job runner logs task starts and ends; a worker logs its lock tenures
   * (`lock.acquired`, with its fencing token if it has one) so that the timeline and the fencing
   * check can see them. Free-form notes go in as `log("mark", { name, ... })`.
   */
  log: TraceLog;
}

/** A worker: runs until its work is done or `signal` aborts (Ctrl+C). */
export interface Worker {
  run(signal: AbortSignal): Promise<void>;
}

/**
 * The main extension point (design.md §2, Workers): the same factory is handed real ports in
 * production and simulated ports in the world.
 */
export type WorkerFactory = ((env: WorkerEnv) => Worker) & {
  /** The deadline of the Consul client this worker stands for, unless its settings name one. Default `defaultClientDeadline`. */
  clientDeadline?: ClientDeadline;
};

/** The client deadline a worker runs under: its settings', else its factory's, else the default. */
export function clientDeadlineOf(factory: WorkerFactory, settings: Partial<Pick<WorkerSettings, "clientDeadline">>): ClientDeadline {
  return settings.clientDeadline ?? factory.clientDeadline ?? defaultClientDeadline;
}

export type { HeldLock };

/** @deprecated Renamed to HeldLock, which adds `release()`; this alias will be removed. */
export type LockHandle = HeldLock;

/**
 * How a worker kind takes the lock on a task; the job runner does the rest. Giving the lock back is
 * the held lock's own business (`HeldLock.release()`), so a strategy keeps no table of its locks.
 */
export interface LockStrategy {
  /** Takes the task's lock, or resolves null when another worker has it. */
  tryLock(task: TaskSpec, key: string, signal: AbortSignal): Promise<HeldLock | null>;
}

/** The lock key of a task: `<prefix>/<task>/leader`, as the original job server used. */
export function lockKey(settings: Pick<WorkerSettings, "keyPrefix">, taskId: string): string {
  return `${settings.keyPrefix}/${taskId}/leader`;
}
