/**
 * Where real runs report what they started and what they removed, so that an interrupted command
 * can clean up and say what it cleaned (cli/shutdown.ts's Shutdown is one; README, "Stopping
 * locksim"). Library callers may pass none.
 */
export interface CleanupLedger {
  /**
   * Registers a fallback that stops or removes something the run started (an agent, a cluster, a
   * run's sessions and keys), under a human name; it runs only if the run's own unwinding does not
   * get there in time. Returns its unregister, called once the run removed it itself.
   */
  register(name: string, stop: () => Promise<void>): () => void;
  /** Notes something removed during an orderly unwind, for the closing report ("3 sessions of …"). */
  noteRemoved(what: string): void;
}

