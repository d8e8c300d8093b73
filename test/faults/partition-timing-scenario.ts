import { parseScenario } from "../../sim/scenario/load-scenario.js";
import type { Scenario } from "../../sim/scenario/scenario-schema.js";
import type { ClientDeadline } from "../../src/client-deadline.js";

/**
 * When w1 holds the lock in both worlds (ms from the start): moments are counted from here. The
 * simulator takes a few ms; a real worker on a busy CI machine took 169 ms once (tsx start-up,
 * session create, acquire), so at 100 ms the partition of "moment 0" sometimes came before the
 * lock and the real run told another story. w2 starts at 1 s, so 500 ms keeps the story and
 * leaves a real worker room.
 */
export const holderAcquiredByMs = 500;

/** Options of partitionTimingScenario. */
export interface PartitionTimingOptions {
  /** How long after w1 acquired the lock the partition starts (ms). */
  momentMs: number;
  /** How long the drop-all partition lasts (ms). */
  partitionMs: number;
  /** How long the one task runs (ms). */
  taskMs: number;
  /** A client deadline for every worker; omitted: each kind's own (consul-api-lock: the Go client's). */
  clientDeadline?: ClientDeadline;
}

/**
 * Issue 12's partition-timing story: two consul-api-lock workers, TTL 15 s, Consul's default
 * lock-delay, one long task. w1 starts first and takes the lock; `momentMs` later a partition that
 * drops every packet both ways cuts it off from Consul. Its session expires (2×TTL without renew),
 * w2 takes the lock after the lock-delay, and w1 keeps running the task until its monitor's blocking
 * read fails (the keep-alive) or is answered (the heal delivers the held answer).
 */
export function partitionTimingScenario(o: PartitionTimingOptions): Scenario {
  return parseScenario(
    {
      name: `partition-timing-${o.momentMs / 1_000}s`,
      why: "A drop-all partition of the consul-api-lock holder, some time after it acquired the lock.",
      seed: 12,
      consul: { ttlMs: 15_000 },
      workers: { count: 2, startStaggerMs: 1_000 },
      tasks: [{ id: "t1", durationMs: o.taskMs }],
      faults: [{ type: "partition", atMs: holderAcquiredByMs + o.momentMs, worker: "w1", durationMs: o.partitionMs, mode: "both", kind: "drop" }],
      horizonMs: 3_600_000,
      settings: o.clientDeadline ? { clientDeadline: o.clientDeadline } : {},
      expect: { "consul-api-lock": { exclusiveExecution: "violated" } },
    },
    `partition-timing-${o.momentMs}`,
  );
}
