import type { ConsulModel } from "../consul/consul-model.js";
import { defaultLinkSettings } from "../network.js";
import type { RenewFault } from "../faulty-consul-port.js";
import type { World } from "../world.js";
import type { Fault } from "./scenario-schema.js";

/** Per-host fault state that outlives a restart (the drop-renewals fault). */
export type RenewFaultState = Map<string, RenewFault>;

/** A short human description of a fault, for the trace and the timeline. */
export function describeFault(f: Fault): string {
  switch (f.type) {
    case "crash":
      return `crash ${f.worker}${f.restartAfterMs !== undefined ? `, restart after ${f.restartAfterMs}ms` : ", no restart"}`;
    case "pause":
      return `pause ${f.worker} for ${f.durationMs}ms`;
    case "partition":
      return `partition ${f.worker} from Consul (${f.mode}) for ${f.durationMs}ms`;
    case "drop-renewals":
      return `drop ${f.worker}'s renewals for ${f.durationMs}ms`;
    case "slow-network":
      return `slow network for ${f.worker}: ${f.latencyMsMin}-${f.latencyMsMax}ms each way for ${f.durationMs}ms`;
    case "leader-failover":
      return `Consul leader failover, no leader for ${f.unavailableMs}ms`;
    case "clock-drift":
      return `clock of ${f.worker} runs at ${f.rate}x${f.durationMs !== undefined ? ` for ${f.durationMs}ms` : ""}`;
  }
}

/**
 * Schedules each fault and its inverse (resume, heal, restart…) as world events. A fault that no
 * longer applies when it comes due (pausing a crashed worker) is recorded as skipped.
 */
export function applyFaults(options: { world: World; model: ConsulModel; faults: readonly Fault[]; renewFaults: RenewFaultState }): void {
  const { world, model, renewFaults } = options;
  const at = (atMs: number, label: string, run: () => void): void => {
    world.schedule({ atMs, label, run });
  };
  const skip = (f: Fault, why: string): void => world.record("-", "fault.skipped", { fault: describeFault(f), why });
  options.faults.forEach((f) => {
    at(f.atMs, `fault.${f.type}`, () => {
      const host = "worker" in f ? world.host(f.worker) : undefined;
      world.record("worker" in f ? f.worker : "consul", "fault", { fault: describeFault(f) });
      switch (f.type) {
        case "crash":
          if (host!.state === "crashed") return skip(f, "already crashed");
          world.crash(f.worker);
          if (f.restartAfterMs !== undefined) at(f.atMs + f.restartAfterMs, "fault.restart", () => world.host(f.worker).state === "crashed" && world.restart(f.worker));
          return;
        case "pause":
          if (host!.state !== "running") return skip(f, `worker is ${host!.state}`);
          world.pause(f.worker);
          at(f.atMs + f.durationMs, "fault.resume", () => world.host(f.worker).state === "paused" && world.resume(f.worker));
          return;
        case "partition":
          world.network.partition(f.worker, f.mode);
          at(f.atMs + f.durationMs, "fault.heal", () => world.network.heal(f.worker));
          return;
        case "drop-renewals":
          renewFaults.set(f.worker, "unavailable");
          at(f.atMs + f.durationMs, "fault.renewals-back", () => {
            renewFaults.set(f.worker, "none");
            world.record(f.worker, "fault.end", { fault: "renewals flow again" });
          });
          return;
        case "slow-network":
          world.network.configure(f.worker, { latencyMsMin: f.latencyMsMin, latencyMsMax: f.latencyMsMax });
          at(f.atMs + f.durationMs, "fault.network-back", () => {
            world.network.configure(f.worker, { latencyMsMin: defaultLinkSettings.latencyMsMin, latencyMsMax: defaultLinkSettings.latencyMsMax });
            world.record(f.worker, "fault.end", { fault: "network latency back to normal" });
          });
          return;
        case "leader-failover":
          model.failover({ unavailableMs: f.unavailableMs });
          return;
        case "clock-drift":
          world.setClockRate(f.worker, f.rate);
          if (f.durationMs !== undefined) at(f.atMs + f.durationMs, "fault.clock-back", () => world.setClockRate(f.worker, 1));
          return;
      }
    });
  });
}

/** When the last fault (and its inverse) is over, in ms. */
export function faultsEndMs(faults: readonly Fault[]): number {
  let end = 0;
  for (const f of faults) {
    const d = f.type === "crash" ? (f.restartAfterMs ?? 0) : f.type === "leader-failover" ? f.unavailableMs : (f.durationMs ?? 0);
    end = Math.max(end, f.atMs + d);
  }
  return end;
}
