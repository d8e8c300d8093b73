import { existsSync } from "node:fs";
import { rmdir } from "node:fs/promises";

/**
 * The directory every `consul` command of Debian's 1.8.7 creates at start-up and never removes:
 * its linked-in test helper package (sdk/testutil) makes `/tmp/consul-test` in an init function,
 * a path fixed in the binary (TMPDIR is not read; `consul version` alone creates it). Agents leave
 * it empty.
 */
export const consulLeftoverPath = "/tmp/consul-test";

/**
 * The leftover directory of the consul processes this process starts: removed after they stop,
 * unless it was there before the first of them started (then it is someone else's, say a Go test
 * run's, and stays). Only an empty directory goes (rmdir refuses otherwise), so nothing stored
 * there is lost; a consul process still running does not use it after start-up.
 */
export class ConsulLeftover {
  private existedBefore: boolean | undefined;

  constructor(readonly path: string = consulLeftoverPath) {}

  /** Call before starting a consul process: the first call notes whether the directory is already there. */
  noteStart(): void {
    this.existedBefore ??= existsSync(this.path);
  }

  /** Call after stopping consul processes: removes the directory if this process's consul made it and left it empty. */
  async remove(): Promise<void> {
    if (this.existedBefore !== false) return;
    try {
      await rmdir(this.path);
    } catch {
      // Not there (another stop removed it) or not empty: leave it as it is.
    }
  }
}

/** The leftover of the consul processes locksim starts (dev agents, cluster servers, `consul leave`). */
export const consulLeftover = new ConsulLeftover();
