import { Trace } from "../sim/trace.js";
import type { TraceArgs, TraceKind, TraceRecord } from "../src/trace-events.js";
import { randomUUID } from "node:crypto";
import { InMemoryResource } from "../src/resources/in-memory-resource.js";
import type { ResourcePolicy } from "../src/resources/resource-policy.js";
import type { TaskSpec } from "../src/ports/task-store.js";
import { TxnEffectPort } from "./txn-effect-port.js";
import { EffectSettlement } from "./effect-settlement.js";
import { RecordingConsulPort } from "../src/recording-consul-port.js";
import { sleepingTask } from "../src/sleeping-task.js";
import { clientDeadlineOf, defaultWorkerSettings, type WorkerFactory, type WorkerSettings } from "../src/workers/worker-types.js";
import { ConsulClientPort, type ConsulClientPortOptions } from "../src/real/consul-client-port.js";
import { defaultClientDeadline, describeClientDeadline, sameClientDeadline, type ClientDeadline } from "../src/client-deadline.js";
import { systemClock, systemRandom } from "../src/real/system-clock.js";
import { consulOk, listKeys } from "./consul-http.js";
import { ConsulHttpError } from "../src/errors.js";

/** One line of a real run's log: the simulator's trace record. */
export type RealLogRecord = TraceRecord;

type TraceLogAt = <K extends TraceKind>(host: string, kind: K, ...data: TraceArgs<K>) => void;

/** Options of a real fleet. */
export interface RealFleetOptions {
  addr: string;
  worker: WorkerFactory;
  workers: number;
  tasks: TaskSpec[];
  settings?: Partial<WorkerSettings>;
  /** Where the effects land. Default "highest-token". */
  resource?: ResourcePolicy;
  /** Stop the run after this long (ms). Default 120,000. */
  timeoutMs?: number;
  /** Key prefix of the run; default `locksim-run/<uuid>`. Workers lock `<prefix>/service/<task>/leader`. */
  runPrefix?: string;
  /** ACL token for the workers' clients and the cleanup (never logged). Default: CONSUL_HTTP_TOKEN if set. */
  token?: string | undefined;
}

/**
 * The options of each worker's client: the worker's client deadline (its settings', else its kind's,
 * e.g. consul-api-lock's Go client deadline), as RealFleet.start and the simulator apply it, and the token.
 */
export function realFleetClientOptions(options: Pick<RealFleetOptions, "addr" | "worker" | "settings" | "token">): ConsulClientPortOptions & { clientDeadline: ClientDeadline } {
  return { addr: options.addr, token: options.token, clientDeadline: clientDeadlineOf(options.worker, options.settings ?? {}) };
}

/** What a real fleet run leaves: the store, the log, and what cleanup found. */
export interface RealFleetResult {
  store: InMemoryResource;
  log: RealLogRecord[];
  wallMs: number;
  /** Whether every worker returned before the time-out. */
  finished: boolean;
  runPrefix: string;
  /** After cleanup: sessions of this run still alive, keys still under the prefix (both should be 0). */
  leftover: { sessions: number; keys: number };
}

/**
 * Runs `workers` copies of `worker` against a real agent with the real clock, on a fresh key
 * prefix, then removes every session and key the run created — also when a worker failed.
 */
export async function runRealFleet(options: RealFleetOptions): Promise<RealFleetResult> {
  const runPrefix = options.runPrefix ?? `locksim-run/${randomUUID()}`;
  const clientOptions = realFleetClientOptions(options);
  // The harness fills in the deadline it applied (WorkerSettings.clientDeadline).
  const settings: WorkerSettings = { ...defaultWorkerSettings, ...options.settings, keyPrefix: `${runPrefix}/service`, clientDeadline: clientOptions.clientDeadline };
  const t0 = performance.now();
  const trace = new Trace();
  const log = trace.records;
  const at = (): number => Math.round(performance.now() - t0);
  const record: TraceLogAt = (host, kind, ...data) => trace.record(at(), host, kind, ...data);
  const store = new InMemoryResource({ tasks: options.tasks, policy: options.resource, onEvent: (e) => trace.append(at(), "store", e) });
  const clients: ConsulClientPort[] = [];
  const effects = new EffectSettlement((c) => store.recordConsulEffect(c));
  const ports: RecordingConsulPort[] = [];
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error("real run timed out")), options.timeoutMs ?? 120_000);
  let finished = false;
  try {
    const runs = Array.from({ length: options.workers }, (_, i) => {
      const workerId = `w${i + 1}`;
      const client = new ConsulClientPort(clientOptions);
      const port = new RecordingConsulPort(client);
      clients.push(client);
      ports.push(port);
      const worker = options.worker({
        workerId,
        clock: systemClock,
        random: systemRandom,
        consul: new TxnEffectPort(port, { keyPrefix: settings.keyPrefix, settlement: effects }),
        store,
        settings,
        runTask: sleepingTask(systemClock),
        log: (kind, ...data) => record(workerId, kind, ...data),
      });
      record(workerId, "host.start", { incarnation: 0 });
      if (!sameClientDeadline(clientOptions.clientDeadline, defaultClientDeadline)) record(workerId, "host.client-deadline", { deadline: describeClientDeadline(clientOptions.clientDeadline) });
      return worker.run(abort.signal).then(
        () => record(workerId, "host.exit", { incarnation: 0 }),
        (error: unknown) => record(workerId, "host.failed", { error: error instanceof Error ? error.message : String(error) }),
      );
    });
    await Promise.all(runs);
    finished = !abort.signal.aborted;
  } finally {
    clearTimeout(timer);
    abort.abort(new Error("run over"));
  }
  // Transactions that failed without a verdict (5xx, time-out) are judged by the effect key now.
  await effects.settle();
  const leftover = (await cleanUpRun({ addr: options.addr, ports, runPrefix, token: options.token })).leftover;
  for (const c of clients) c.close();
  return { store, log, wallMs: Math.round(performance.now() - t0), finished, runPrefix, leftover };
}

/** What a run's cleanup removed and what it left (both counts should be 0 in `leftover`). */
export interface RunCleanup {
  removed: { sessions: number; keys: number };
  leftover: { sessions: number; keys: number };
}

/**
 * Destroys the run's sessions (those its RecordingConsulPorts saw created) and deletes its key
 * prefix, then counts what is left. Destroying first matters for Behavior "release": a released
 * key stays, so the prefix delete must come after every session is gone.
 */
export async function cleanUpRun(options: { addr: string; ports: RecordingConsulPort[]; runPrefix: string; token?: string | undefined }): Promise<RunCleanup> {
  const token = options.token ?? process.env.CONSUL_HTTP_TOKEN;
  const target = { addr: options.addr, token };
  const cleaner = new ConsulClientPort({ addr: options.addr, token });
  const again = retryWhileLeaderless(cleanupLeaderlessBudgetMs);
  try {
    const sessions = options.ports.flatMap((p) => [...p.sessions]);
    let destroyed = 0;
    for (const id of sessions) {
      // Destroy answers true for a session already gone (idempotent, consul-semantics.md §1): only
      // the ones still there count as removed (a stopped run reported every session it ever made).
      if (!(await again(() => cleaner.sessionInfo(id)).catch(() => true))) continue;
      if (await again(() => cleaner.sessionDestroy(id)).catch(() => false)) destroyed++;
    }
    const keys = (await again(() => listKeys(target, `${options.runPrefix}/`))).length;
    await again(() => consulOk(target, "DELETE", `/v1/kv/${options.runPrefix}?recurse`));
    let alive = 0;
    for (const id of sessions) if (await again(() => cleaner.sessionInfo(id)).catch(() => true)) alive++;
    const left = (await again(() => listKeys(target, `${options.runPrefix}/`))).length;
    return { removed: { sessions: destroyed, keys: keys - left }, leftover: { sessions: alive, keys: left } };
  } finally {
    cleaner.close();
  }
}

/**
 * How long cleanup retries while the cluster has no leader: a stop during a replayed failover
 * meets Consul answering every request 500 at once for 1.5-2.4 s, then holding them until the new
 * leader (elected 3.0-4.2 s after the kill, measured on 1.8.7); within the shutdown's grace period.
 */
const cleanupLeaderlessBudgetMs = 5_000;

/**
 * Retries an idempotent cleanup call that Consul answered with a 5xx (no leader, rpc error) every
 * 200 ms, until `budgetMs` has passed since the first call; other errors and the last 5xx pass.
 */
function retryWhileLeaderless(budgetMs: number): <T>(call: () => Promise<T>) => Promise<T> {
  const deadlineMs = performance.now() + budgetMs;
  return async <T>(call: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof ConsulHttpError) || error.status < 500 || performance.now() >= deadlineMs) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };
}

/** Destroys the run's sessions and deletes its prefix, then counts what is left. */
export async function cleanUp(addr: string, ports: RecordingConsulPort[], runPrefix: string): Promise<{ sessions: number; keys: number }> {
  return (await cleanUpRun({ addr, ports, runPrefix })).leftover;
}
