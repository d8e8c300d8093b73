import type { ConsulModel } from "../consul/consul-model.js";
import type { RenewFault } from "../faulty-consul-port.js";
import { defaultLinkSettings } from "../network.js";
import type { World } from "../world.js";
import type { FaultStage } from "./fault-engine.js";
import type { FaultVerbs, WorkerLifeState } from "./fault-table.js";

/**
 * The simulated world's fault verbs: the world's own host verbs, the network's links, the Consul
 * model's failover, leadership transfer and write limiter, and a per-host renew fault that outlives a restart (read by FaultyConsulPort).
 */
export class SimFaultVerbs implements FaultVerbs {
  /** Per-host renew fault, read by each host's FaultyConsulPort. */
  readonly renewFaults = new Map<string, RenewFault>();

  constructor(
    private readonly world: World,
    private readonly model: ConsulModel,
  ) {}

  /** The engine's stage in this world: world events and the world's trace. */
  stage(): FaultStage {
    return {
      at: (atMs, label, run) => void this.world.schedule({ atMs, label, run }),
      record: (host, kind, ...data) => this.world.record(host, kind, ...data),
    };
  }

  workerState(worker: string): WorkerLifeState {
    return this.world.host(worker).state;
  }
  crash(worker: string): void {
    this.world.crash(worker);
  }
  restart(worker: string): void {
    this.world.restart(worker);
  }
  pause(worker: string): void {
    this.world.pause(worker);
  }
  resume(worker: string): void {
    this.world.resume(worker);
  }
  partition(worker: string, mode: "requests" | "responses" | "both", kind: "drop" | "reject"): void {
    this.world.network.partition(worker, mode, kind);
  }
  heal(worker: string): void {
    this.world.network.heal(worker);
  }
  dropRenewals(worker: string): void {
    this.renewFaults.set(worker, "unavailable");
  }
  restoreRenewals(worker: string): void {
    this.renewFaults.set(worker, "none");
  }
  slowNetwork(worker: string, latency: { latencyMsMin: number; latencyMsMax: number }): void {
    this.world.network.configure(worker, latency);
  }
  restoreNetwork(worker: string): void {
    this.world.network.configure(worker, { latencyMsMin: defaultLinkSettings.latencyMsMin, latencyMsMax: defaultLinkSettings.latencyMsMax });
  }
  failover(options: { unavailableMs: number }): undefined {
    this.model.failover(options);
    return undefined;
  }
  rateLimit(options: { fraction: number; status: 429 | 503 }): undefined {
    this.model.rateLimit(options);
    return undefined;
  }
  unrateLimit(): void {
    this.model.unrateLimit();
  }
  transferLeader(options: { unavailableMs: number }): undefined {
    this.model.transferLeader(options);
    return undefined;
  }
  drift(worker: string, rate: number): void {
    this.world.setClockRate(worker, rate);
  }
  undrift(worker: string): void {
    this.world.setClockRate(worker, 1);
  }
}
