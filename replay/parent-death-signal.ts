import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * When the process that started an agent is killed with SIGKILL, nothing in it runs: neither its
 * own cleanup nor process-end-guard.ts. Only the kernel can still act. On Linux a child can ask to
 * be sent a signal when its parent dies (prctl PR_SET_PDEATHSIG); util-linux's `setpriv
 * --pdeathsig` asks for it and then execs the command, so the agent keeps its pid, its parent and
 * its name (`consul`). Debian and most Linux distributions ship setpriv in util-linux (an essential
 * package); elsewhere (macOS, a Linux without it) the command runs as it is and a SIGKILLed parent
 * leaves its agents (README, "Stopping locksim").
 *
 * The kernel sends the signal when the *thread* that spawned the child ends: Node spawns on the JS
 * thread that calls spawn, so an agent started from a worker_thread dies with that thread.
 * LOCKSIM_NO_PARENT_DEATH_SIGNAL=1 turns it off (then only process-end-guard.ts acts).
 */

let setprivPath: string | null | undefined;

/** The executable `name` resolves to on PATH (or `name` itself when it holds a slash), if any. */
function findExecutable(name: string): string | undefined {
  const candidates = name.includes("/") ? [name] : (process.env.PATH ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not there, or not executable: the next one
    }
  }
  return undefined;
}

/** setpriv's path when it exists and knows --pdeathsig (util-linux 2.33, 2018); looked up once. */
function setpriv(): string | undefined {
  if (setprivPath === undefined) {
    const found = process.platform === "linux" ? findExecutable("setpriv") : undefined;
    const works = found !== undefined && spawnSync(found, ["--pdeathsig", "SIGKILL", "--", "true"], { stdio: "ignore" }).status === 0;
    setprivPath = works ? found : null;
  }
  return setprivPath ?? undefined;
}

/** Whether withParentDeathSignal can ask the kernel for the signal here (and is not turned off). */
export function parentDeathSignalAvailable(): boolean {
  return process.env.LOCKSIM_NO_PARENT_DEATH_SIGNAL !== "1" && setpriv() !== undefined;
}

/**
 * The command and arguments to spawn so that `command` gets `signal` (default SIGKILL) when the
 * thread spawning it dies, even by SIGKILL: `setpriv --pdeathsig <signal> -- <command> ...args`
 * where that works and is not turned off, else `command` and `args` unchanged. A command not on PATH is also returned
 * unchanged, so spawning it fails with ENOENT as it always did.
 */
export function withParentDeathSignal(command: string, args: string[], signal: NodeJS.Signals = "SIGKILL"): { command: string; args: string[] } {
  const wrapper = parentDeathSignalAvailable() ? setpriv() : undefined;
  const target = wrapper === undefined ? undefined : findExecutable(command);
  if (wrapper === undefined || target === undefined) return { command, args };
  return { command: wrapper, args: ["--pdeathsig", signal, "--", target, ...args] };
}
