import type { FaultStage } from "../sim/faults/fault-engine.js";
import type { FaultVerbs, WorkerLifeState } from "../sim/faults/fault-table.js";
import type { ConsulCluster } from "./consul-cluster.js";
import type { HostFaults } from "./host-faults.js";
import type { RealTrace } from "./real-trace.js";
import type { RealWriteLimiter } from "./real-write-limiter.js";
import type { WorkerGate } from "./worker-gate.js";

/** What the real fault verbs need from the fleet that runs the workers. */
export interface RealFleetControl {
  /** The gate of the worker's current incarnation (undefined before it started). */
  gate(worker: string): WorkerGate | undefined;
  /** The worker's host, shared by the gates of all its incarnations (also before the first start). */
  host(worker: string): HostFaults;
  state(worker: string): WorkerLifeState;
  setState(worker: string, state: WorkerLifeState): void;
  /**
   * Kills the worker's current incarnation, or the start still due if it has not started yet: its
   * incarnation moves on, so that start is dropped, as sim/host.ts's crash makes it stale.
   */
  crash(worker: string): void;
  /** Starts the worker's next incarnation now (after a crash, also one before its first start). */
  restart(worker: string): void;
  /** Real timers of the run, cleared when it ends. */
  timer(atMs: number, run: () => void): void;
  /** The agent's write limiter every worker's writes pass through (the rate-limit fault). */
  readonly limiter: RealWriteLimiter;
}

/**
 * The real world's fault verbs (design.md §2, Real Consul): faults become real-time changes to
 * each worker's current gate (pause holds its timers and answers, crash silences it for good, or
 * drops its start if it has not started yet, as in the simulator) or to its host, which every
 * incarnation's gate shares (partition drops or rejects its Consul calls as the simulated network
 * does, latency slows them, renewals are dropped, drift scales its clock), and a leader failover
 * kills the leader of a local 3-server cluster. The records match the simulated world's verbs.
 */
export class RealFaultVerbs implements FaultVerbs {
  constructor(
    private readonly fleet: RealFleetControl,
    private readonly log: RealTrace,
    private readonly cluster: ConsulCluster | undefined,
  ) {}

  /** The engine's stage in real time: timers from the start of the run, the real log. */
  stage(): FaultStage {
    return {
      at: (atMs, _label, run) => this.fleet.timer(atMs, run),
      record: (host, kind, ...data) => this.log.record(host, kind, ...data),
    };
  }

  // The fault table pauses only a running worker and resumes only a paused one, so both have a gate;
  // a worker that has not started ("idle") has none, and the table skips these verbs for it.
  private must(verb: string, worker: string): WorkerGate {
    const gate = this.fleet.gate(worker);
    if (!gate) throw new Error(`RealFaultVerbs.${verb}: expected worker ${worker} to have started, seen it ${this.fleet.state(worker)} with no gate`);
    return gate;
  }

  workerState(worker: string): WorkerLifeState {
    return this.fleet.state(worker);
  }
  crash(worker: string): void {
    // Also before the worker's start (the simulator's idle host): its pending start is dropped.
    this.fleet.crash(worker);
    this.log.record(worker, "host.crash");
  }
  restart(worker: string): void {
    this.fleet.restart(worker);
  }
  pause(worker: string): void {
    this.must("pause", worker).pause();
    this.fleet.setState(worker, "paused");
    this.log.record(worker, "host.pause");
  }
  resume(worker: string): void {
    this.fleet.setState(worker, "running");
    // The held answers are released synchronously; their continuations run after this record.
    const gate = this.must("resume", worker);
    this.log.record(worker, "host.resume", { held: gate.heldCount });
    gate.resume();
  }
  // Partitions, latency, dropped renewals and drift are the host's (HostFaults), not the current
  // incarnation's: the simulator keeps them per host id (sim/network.ts, SimFaultVerbs.renewFaults,
  // sim/host.ts), so they hold across a crash and restart, and apply to a worker not yet started.
  partition(worker: string, mode: "requests" | "responses" | "both", kind: "drop" | "reject"): void {
    this.fleet.host(worker).partitionLink(mode, kind);
    this.log.record(worker, "net.partition", kind === "drop" ? { mode } : { mode, kind });
  }
  heal(worker: string): void {
    // The record first: the held messages the heal releases (net.retransmit) come after it, as in the simulator.
    this.log.record(worker, "net.heal");
    this.fleet.host(worker).healLink();
  }
  dropRenewals(worker: string): void {
    this.fleet.host(worker).dropRenewals = true;
  }
  restoreRenewals(worker: string): void {
    this.fleet.host(worker).dropRenewals = false;
  }
  slowNetwork(worker: string, latency: { latencyMsMin: number; latencyMsMax: number }): void {
    this.fleet.host(worker).latency = latency;
  }
  restoreNetwork(worker: string): void {
    this.fleet.host(worker).latency = undefined;
  }
  drift(worker: string, rate: number): void {
    this.fleet.host(worker).setClockRate(rate);
    this.log.record(worker, "host.clock-rate", { rate });
  }
  undrift(worker: string): void {
    this.drift(worker, 1);
  }

  rateLimit(options: { fraction: number; status: 429 | 503 }): undefined {
    this.log.record("consul", "consul.rate-limit.on", { fraction: options.fraction, status: options.status });
    this.fleet.limiter.start(options);
    return undefined;
  }
  unrateLimit(): void {
    this.log.record("consul", "consul.rate-limit.off");
    this.fleet.limiter.stop();
  }

  /**
   * 1.8.7 has no `consul operator raft transfer-leader` (1.15+); its graceful handover is the
   * leader leaving the cluster (`consul leave`): it removes itself from the Raft configuration and
   * steps down, and the others elect a new leader (measured: no leader for 1.1-3.5 s, requests held
   * meanwhile, no errors). The left server is started again once its process has exited (~14 s),
   * so that the cluster has three servers again.
   */
  transferLeader(): string | undefined {
    const cluster = this.cluster;
    if (!cluster?.leaveLeader || !cluster.restartServer) return "a leader transfer needs a 3-server cluster; this replay uses one agent";
    void this.handOver(cluster as Required<Pick<ConsulCluster, "leaveLeader" | "restartServer">> & ConsulCluster).catch((error: unknown) =>
      this.log.record("consul", "mark", { name: "leader-transfer-failed", error: String(error) }),
    );
    return undefined;
  }

  /** The leader leaves; the election is recorded when seen; the left server starts again once it has exited. */
  private async handOver(cluster: Required<Pick<ConsulCluster, "leaveLeader" | "restartServer">> & ConsulCluster): Promise<void> {
    const old = await cluster.leader();
    this.log.record("consul", "consul.leader.lost", { left: old });
    const left = cluster.leaveLeader().then((node) => cluster.restartServer(node));
    left.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    const leader = await cluster.waitForNewLeader(old);
    this.log.record("consul", "consul.leader.elected", { leader });
    await left;
  }

  failover(): string | undefined {
    const cluster = this.cluster;
    if (!cluster) return "a leader failover needs a 3-server cluster; this replay uses one agent";
    // The real failover lasts as long as the election takes, not the scenario's unavailableMs.
    void cluster
      .killLeader()
      .then((old) => {
        this.log.record("consul", "consul.leader.lost", { killed: old });
        return cluster.waitForNewLeader(old);
      })
      .then(
        (leader) => this.log.record("consul", "consul.leader.elected", { leader }),
        (error: unknown) => this.log.record("consul", "mark", { name: "failover-failed", error: String(error) }),
      );
    return undefined;
  }
}
