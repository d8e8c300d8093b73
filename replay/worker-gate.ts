import { ConsulUnavailableError } from "../src/errors.js";
import type { Clock } from "../src/ports/clock.js";
import type { CallOptions, ConsulPort, KvGetOptions, KvGetResult, KvPutOptions, SessionCreateOptions, SessionEntry, TxnOp } from "../src/ports/consul-port.js";
import type { ClaimResult, CommitRequest, CommitResult, TaskSpec, TaskStore } from "../src/ports/task-store.js";
import { callTimeoutMs, defaultClientDeadline, keepAliveGiveUpMs, type ClientDeadline } from "../src/client-deadline.js";
import { systemClock, systemRandom } from "../src/real/system-clock.js";
import { GateLink, type LinkRecord } from "./gate-link.js";
import { HostFaults } from "./host-faults.js";

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/** Options of a WorkerGate. */
export interface WorkerGateOptions {
  /** The worker's client deadline, the one its ConsulClientPort applies too. Default `defaultClientDeadline`. */
  clientDeadline?: ClientDeadline | undefined;
  /** Where the link writes its network records (net.reset, net.retransmit, net.gave-up). */
  record?: LinkRecord | undefined;
  /**
   * The worker's host: its partition, latency, dropped renewals and drifting clock, shared by the
   * gates of all its incarnations so that those faults outlive a crash and restart, as in the
   * simulator (HostFaults). Default: a host of its own.
   */
  host?: HostFaults | undefined;
}

/**
 * The real-time stand-in for what the simulator does to a host: every timer and every answer of
 * one worker incarnation passes through this gate, so that a pause holds them (and releases them
 * in order on resume), a crash swallows them for good, a partition drops or rejects the worker's
 * Consul calls as the simulated network does (GateLink), and drift scales its clock (design.md §2,
 * Real Consul).
 *
 * A pause and a crash belong to the incarnation, as in sim/host.ts (a crash drops the pause); the
 * faults of the host — partition, latency, dropped renewals, clock drift — live in `host`, which
 * the gates of every incarnation of one worker share.
 */
export class WorkerGate {
  state: "running" | "paused" | "crashed" = "running";
  /** The link to Consul under the host's partition (`host.partitionLink`, `host.healLink`) and the client deadline. */
  readonly link: GateLink;
  /** The worker's host: the faults that outlive this incarnation. */
  readonly host: HostFaults;
  private readonly deadline: ClientDeadline;
  private held: (() => void)[] = [];

  constructor(options: WorkerGateOptions = {}) {
    this.deadline = options.clientDeadline ?? defaultClientDeadline;
    this.host = options.host ?? new HostFaults();
    this.link = new GateLink({ keepAliveGiveUpMs: keepAliveGiveUpMs(this.deadline), alive: () => this.state !== "crashed", record: options.record, host: this.host });
  }

  /** Runs `fn` now, or on resume if paused; never if crashed. */
  deliver(fn: () => void): void {
    if (this.state === "crashed") return;
    if (this.state === "paused") this.held.push(fn);
    else fn();
  }

  /** How many timers and answers a resume would release now. */
  get heldCount(): number {
    return this.held.length;
  }

  pause(): void {
    if (this.state === "running") this.state = "paused";
  }

  /** Releases what came due during the pause, in the order it came due. */
  resume(): number {
    if (this.state !== "paused") return 0;
    this.state = "running";
    const held = this.held;
    this.held = [];
    for (const fn of held) fn();
    return held.length;
  }

  crash(): void {
    this.state = "crashed";
    this.held = [];
  }

  /** Settles through the gate: held while paused, dropped when crashed. */
  private through<T>(promise: Promise<T>): Promise<T> {
    if (this.state === "crashed") return never();
    return new Promise<T>((resolve, reject) => {
      promise.then(
        (v) => this.deliver(() => resolve(v)),
        (e: unknown) => this.deliver(() => reject(e)),
      );
    });
  }

  /** The worker's Clock: the host's (drifted, continuous across restarts), and gated. */
  clock(): Clock {
    const host = this.host;
    return {
      nowMs: () => host.localNowMs(),
      sleepMs: (ms, signal) => this.through(systemClock.sleepMs(Math.max(0, ms) / host.clockRate, signal)),
    };
  }

  /** One Consul call through latency and the link (partitions, deadline); `blocking` names a blocking read's wait. */
  private call<T>(op: string, options: CallOptions | undefined, fn: () => Promise<T>, blocking?: { waitMs: number | undefined }): Promise<T> {
    const timeoutMs = options?.timeoutMs ?? callTimeoutMs(this.deadline, { blocking: blocking !== undefined, waitMs: blocking?.waitMs });
    return this.link.call(op, { timeoutMs, signal: options?.signal, delay: () => this.delay() }, fn);
  }

  /** One message's extra latency (slow-network fault). */
  private async delay(): Promise<void> {
    const l = this.host.latency;
    if (l) await systemClock.sleepMs(l.latencyMsMin + Math.floor(systemRandom.next() * (l.latencyMsMax - l.latencyMsMin + 1)));
  }

  /** The worker's ConsulPort: `inner` behind this gate's faults. */
  consul(inner: ConsulPort): ConsulPort {
    const g = <T>(p: () => Promise<T>): Promise<T> => (this.state === "crashed" ? never() : this.through(p()));
    return {
      sessionCreate: (o?: SessionCreateOptions) => g(() => this.call("session.create", o, () => inner.sessionCreate(o))),
      sessionRenew: (id: string, o?: CallOptions): Promise<SessionEntry | null> =>
        g(async () => {
          if (this.host.dropRenewals) throw new ConsulUnavailableError({ operation: "session.renew", reason: "renewal dropped (injected fault)" });
          return this.call("session.renew", o, () => inner.sessionRenew(id, o));
        }),
      sessionDestroy: (id: string, o?: CallOptions) => g(() => this.call("session.destroy", o, () => inner.sessionDestroy(id, o))),
      sessionInfo: (id: string, o?: CallOptions) => g(() => this.call("session.info", o, () => inner.sessionInfo(id, o))),
      kvGet: (key: string, o?: KvGetOptions): Promise<KvGetResult> => {
        const blocking = o?.index !== undefined && o.index > 0;
        return g(() => this.call("kv.get", o, () => inner.kvGet(key, o), blocking ? { waitMs: o?.waitMs } : undefined));
      },
      kvPut: (key: string, value: string | null, o?: KvPutOptions) => g(() => this.call("kv.put", o, () => inner.kvPut(key, value, o))),
      kvDelete: (key: string, o?: CallOptions & { cas?: number }) => g(() => this.call("kv.delete", o, () => inner.kvDelete(key, o))),
      txn: (ops: readonly TxnOp[], o?: CallOptions) => g(() => this.call("txn", o, () => inner.txn(ops, o))),
    };
  }

  /** The worker's TaskStore: answers gated (a paused or crashed worker does not see them). */
  store(inner: TaskStore): TaskStore {
    return {
      listPending: (): Promise<TaskSpec[]> => this.through(inner.listPending()),
      isCommitted: (id: string): Promise<boolean> => this.through(inner.isCommitted(id)),
      claim: (id: string, token: number, workerId?: string): Promise<ClaimResult> => (this.state === "crashed" ? never() : this.through(inner.claim(id, token, workerId))),
      commit: (id: string, r: CommitRequest): Promise<CommitResult> => (this.state === "crashed" ? never() : this.through(inner.commit(id, r))),
    };
  }
}
