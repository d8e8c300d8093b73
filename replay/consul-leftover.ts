import { spawnSync } from "node:child_process";
import { rmdirSync, statSync } from "node:fs";

/**
 * The directory every `consul` command of Debian's 1.8.7 creates at start-up and never removes:
 * its linked-in test helper package (sdk/testutil) makes `/tmp/consul-test` in an init function,
 * a path fixed in the binary (TMPDIR is not read; `consul version` alone creates it). Agents leave
 * it empty.
 */
export const consulLeftoverPath = "/tmp/consul-test";

/**
 * The leftover directory of the consul processes this process starts: removed after they stop if
 * one of them made it (it was not there when that one started), never when it was there all along
 * (then it is someone else's, say a Go test run's). Only an empty directory goes (rmdir refuses
 * otherwise), so nothing stored there is lost; a consul process still running does not use it
 * after start-up, and several of ours running at once (test files in parallel) each remove it
 * after their own stop if they made it.
 */
export class ConsulLeftover {
  private madeByUs = false;
  // The directory as a start found it there (someone else's, or a sibling process's): inode and
  // change time, to tell whether it was removed and made anew by the time our consul ran.
  private seen: { ino: number; ctimeMs: number } | undefined;

  constructor(readonly path: string = consulLeftoverPath) {}

  /** Call right before starting a consul process: if the directory is not there, that process will make it. */
  noteStart(): void {
    const st = statSync(this.path, { throwIfNoEntry: false });
    if (!st) this.madeByUs = true;
    else if (!this.madeByUs) this.seen ??= { ino: st.ino, ctimeMs: st.ctimeMs };
  }

  /**
   * Call after stopping consul processes: removes the directory if one of ours made it and it is
   * empty. "Ours" also covers a start that found it there when the process that made it removed it
   * before our consul came up (test files starting agents in parallel): our consul then made it
   * anew, which its inode or change time shows.
   */
  remove(): void {
    const st = this.madeByUs ? undefined : statSync(this.path, { throwIfNoEntry: false });
    const remade = st !== undefined && this.seen !== undefined && (st.ino !== this.seen.ino || st.ctimeMs !== this.seen.ctimeMs);
    if (!this.madeByUs && !remade) return;
    this.madeByUs = false;
    this.seen = undefined;
    try {
      rmdirSync(this.path);
    } catch {
      // Not there (another stop removed it) or not empty: leave it as it is.
    }
  }
}

/** The leftover of the consul processes locksim starts (dev agents, cluster servers, `consul leave`). */
export const consulLeftover = new ConsulLeftover();

/** Whether `consul version` runs (a consul binary is on PATH), leaving no /tmp/consul-test behind. */
export function consulBinaryRuns(binary = "consul"): boolean {
  consulLeftover.noteStart();
  const ok = spawnSync(binary, ["version"]).status === 0;
  consulLeftover.remove();
  return ok;
}
