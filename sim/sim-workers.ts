import { InMemoryResource } from "../src/resources/in-memory-resource.js";
import type { ResourcePolicy } from "../src/resources/resource-policy.js";
import type { ConsulPort } from "../src/ports/consul-port.js";
import type { TaskSpec } from "../src/ports/task-store.js";
import { sleepingTask } from "../src/sleeping-task.js";
import { clientDeadlineOf, defaultWorkerSettings, type WorkerFactory, type WorkerSettings } from "../src/workers/worker-types.js";
import { defaultClientDeadline, describeClientDeadline, sameClientDeadline } from "../src/client-deadline.js";
import { ConsulModel } from "./consul/consul-model.js";
import { modelEffectCommits } from "./consul/txn-effects.js";
import type { HostFactory } from "./host.js";
import { SimConsulPort } from "./sim-consul-port.js";
import { World } from "./world.js";

/** Options of a simulated fleet of workers. */
export interface SimFleetOptions {
  seed: string | number;
  worker: WorkerFactory;
  /** Number of workers (hosts w1…wN). */
  workers: number;
  tasks: TaskSpec[];
  settings?: Partial<WorkerSettings>;
  /** Where the tasks' effects land (src/resources/resource-policy.ts). Default "highest-token". */
  resource?: ResourcePolicy;
  /** Virtual time limit of the run (ms). Default 1 hour. */
  horizonMs?: number;
  /** Decorates each host's ConsulPort (fault injection in tests). */
  wrapConsul?: (port: ConsulPort, hostId: string) => ConsulPort;
  /** Host ids are `${hostPrefix}1…`. Default "w". */
  hostPrefix?: string;
  /** Worker i starts at (i−1) × this (ms), so the first pending task goes to w1. Default 0. */
  startStaggerMs?: number;
  /** Record every executed event in the trace. Default true; sweeps turn it off for speed. */
  traceSteps?: boolean;
}

/** A world with the Consul model, a shared store and N workers, ready to run. */
export interface SimFleet {
  world: World;
  model: ConsulModel;
  store: InMemoryResource;
  hostIds: string[];
  settings: WorkerSettings;
  /** Runs until every worker has exited (or a bound); returns whether they all exited. */
  runToCompletion(): Promise<boolean>;
}

/** The HostFactory of one simulated worker: the worker factory with simulated ports. */
export function workerHost(options: {
  world: World;
  worker: WorkerFactory;
  store: InMemoryResource;
  settings: WorkerSettings;
  wrapConsul?: SimFleetOptions["wrapConsul"];
}): HostFactory {
  const { world } = options;
  return (ctx) => {
    const deadline = clientDeadlineOf(options.worker, options.settings);
    if (!sameClientDeadline(deadline, defaultClientDeadline)) world.record(ctx.hostId, "host.client-deadline", { deadline: describeClientDeadline(deadline) });
    const port = new SimConsulPort(ctx, "consul", deadline);
    return options.worker({
      workerId: ctx.hostId,
      clock: ctx.clock,
      random: ctx.random,
      consul: options.wrapConsul ? options.wrapConsul(port, ctx.hostId) : port,
      store: options.store,
      settings: options.settings,
      runTask: sleepingTask(ctx.clock),
      log: (kind, ...data) => world.record(ctx.hostId, kind, ...data),
    });
  };
}

/** Builds a world running `workers` copies of `worker` over `tasks` against the Consul model. */
export function buildSimFleet(options: SimFleetOptions): SimFleet {
  const world = new World({ seed: options.seed, horizonMs: options.horizonMs ?? 3_600_000, traceSteps: options.traceSteps ?? true });
  const model = new ConsulModel(world);
  const store = new InMemoryResource({
    tasks: options.tasks,
    policy: options.resource,
    onEvent: (event) => world.emit("store", event),
  });
  // The worker's settings name the client deadline its port applies (its own, or its kind's).
  const settings: WorkerSettings = { ...defaultWorkerSettings, ...options.settings, clientDeadline: clientDeadlineOf(options.worker, options.settings ?? {}) };
  // Consul as the resource: effect keys written by transactions count where the model applied them.
  model.observeTxns((outcome) => {
    for (const commit of modelEffectCommits(settings.keyPrefix, outcome)) store.recordConsulEffect(commit);
  });
  const factory = workerHost({ world, worker: options.worker, store, settings, wrapConsul: options.wrapConsul });
  const hostIds: string[] = [];
  for (let i = 1; i <= options.workers; i++) {
    const id = `${options.hostPrefix ?? "w"}${i}`;
    hostIds.push(id);
    world.addHost({ id, factory, startAtMs: (i - 1) * (options.startStaggerMs ?? 0) });
  }
  const allExited = (): boolean => hostIds.every((id) => world.host(id).state === "exited");
  return {
    world,
    model,
    store,
    hostIds,
    settings,
    async runToCompletion() {
      await world.run({ until: allExited });
      return allExited();
    },
  };
}
