/**
 * The only way worker code reads time or waits. In production it is the system's monotonic clock
 * (src/real/system-clock.ts); in the simulator it is the world's virtual clock, so a run is
 * deterministic and an hour of virtual time costs milliseconds.
 */
export interface Clock {
  /** Milliseconds on a monotonic clock. Only differences are meaningful. */
  nowMs(): number;
  /**
   * Resolves after `ms` milliseconds. Rejects with an `AbortedError` as soon as `signal` aborts,
   * so a worker that is told to stop never waits out a long sleep.
   */
  sleepMs(ms: number, signal?: AbortSignal): Promise<void>;
}
