import { WorldAssertionError } from "../sim/sim-errors.js";
import type { PartitionKind, PartitionMode } from "../sim/network-types.js";

/** A partition of a host's link to Consul, and when it began (performance.now() ms): a drop partition's silence counts from then. */
export interface LinkPartition {
  mode: PartitionMode;
  kind: PartitionKind;
  sinceMs: number;
}

/** What the live incarnation's link does when its host is cut off or healed (GateLink). */
export interface LinkListener {
  /** The host was cut off (`HostFaults.partition` is set): calls awaited now start their keep-alive count. */
  onCut(): void;
  /** The host was healed: messages held for calls still awaited go through now. */
  onHeal(): void;
}

/**
 * The faults that belong to a worker's host rather than to one incarnation of its program, kept as
 * the simulator keeps them: the partition and the latency of its link to Consul (sim/network.ts keeps
 * both per host id), its dropped renewals (SimFaultVerbs.renewFaults, per host id), and its clock
 * with its drift (sim/host.ts: one Host, so one local clock, for every incarnation). The real fleet
 * keeps one HostFaults per worker and hands it to the WorkerGate of each incarnation, so a fault
 * applied before a crash still holds after the restart until it is undone, exactly once, and the
 * restarted worker's clock reads on from where the host's clock was. A pause is not here: it ends
 * with its incarnation (a crash drops it in sim/host.ts too).
 */
export class HostFaults {
  /** Whether the host's renewals fail on the transport (the drop-renewals fault). Default false. */
  dropRenewals = false;
  /**
   * Extra one-way latency added before each request and after each answer, drawn uniformly per
   * message in [min, max] ms as the simulator's network draws it (undefined: none added).
   */
  latency: { latencyMsMin: number; latencyMsMax: number } | undefined;
  private cut: LinkPartition | undefined;
  private live: LinkListener | undefined;
  private rate = 1;
  // Local time = anchorLocalMs + (performance.now() − anchorRealMs) × rate; re-anchored on each rate
  // change, so the local reading is continuous, as sim/host.ts's is.
  private anchorRealMs = performance.now();
  private anchorLocalMs = this.anchorRealMs;

  /** The partition of the host's link now, if any. */
  get partition(): LinkPartition | undefined {
    return this.cut;
  }

  /** Makes `link` the one that hears cuts and heals: the newest incarnation's (an older one's calls are no longer awaited). */
  attach(link: LinkListener): void {
    this.live = link;
  }

  /** Cuts the host's link off from Consul until `heal`; a cut while cut starts the silence anew, as in sim/network.ts. */
  partitionLink(mode: PartitionMode, kind: PartitionKind): void {
    this.cut = { mode, kind, sinceMs: performance.now() };
    this.live?.onCut();
  }

  /** Heals the host's link. */
  healLink(): void {
    this.cut = undefined;
    this.live?.onHeal();
  }

  /** Local clock speed relative to real time: 1 = exact, 2 = twice as fast. Default 1. */
  get clockRate(): number {
    return this.rate;
  }

  /** Changes how fast the host's clock runs from now on; its reading is continuous across the change. */
  setClockRate(rate: number): void {
    // As the simulator's Host.setClockRate: a misused verb is a bug in the driving code, thrown at once.
    if (!(rate > 0 && Number.isFinite(rate))) throw new WorldAssertionError({ operation: "HostFaults.setClockRate", expected: "a finite rate > 0", seen: String(rate) });
    this.anchorLocalMs = this.localNowMs();
    this.anchorRealMs = performance.now();
    this.rate = rate;
  }

  /** The host's local clock reading in ms (at rate 1 from the start: performance.now()). */
  localNowMs(): number {
    return this.anchorLocalMs + (performance.now() - this.anchorRealMs) * this.rate;
  }
}
