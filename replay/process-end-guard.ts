import type { ChildProcess } from "node:child_process";

/**
 * The last line of defence for what locksim starts: agents and clusters must not outlive the
 * process that started them (design.md §2, Real Consul), whoever that process is — the CLI, a
 * library user's program, a vitest worker.
 *
 * A child process is not killed when its parent dies: a `consul agent` whose parent got SIGTERM
 * (tinypool ends a vitest worker so; a CI runner or `kill` does) or called `process.exit` without
 * stopping it runs on, reparented to init. So every child registered here is SIGKILLed
 * synchronously when this process exits ('exit' fires for process.exit, the end of the event loop
 * and uncaught exceptions), and when SIGINT, SIGTERM or SIGHUP arrives at a process that has no
 * handler of its own for it. In that case the process would have died at once anyway: the guard
 * kills the children, then raises the signal again, so the process still ends by that signal.
 *
 * A process that handles the signal itself (the CLI's Shutdown, a user's handler) keeps the say: the
 * guard does nothing on the signal (the handler stops things in order: sessions first, then
 * agents) and only backs it up at 'exit'.
 *
 * A SIGKILL of this process cannot be caught: nothing here runs then. On Linux the kernel still
 * kills the agents (parent-death-signal.ts); elsewhere they stay (README, "Stopping locksim").
 */

/** A synchronous last-resort stop. */
type StopSync = () => void;

const kills = new Set<StopSync>();
const finalizers = new Set<StopSync>();
const stopSignals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
let installed = false;

/** Runs every registered stop once: children are killed before the finalizers remove their data. */
function runAll(): void {
  for (const set of [kills, finalizers]) {
    for (const stop of [...set]) {
      set.delete(stop);
      try {
        stop();
      } catch {
        // A last resort must not stop the others (a child already gone, a directory in use).
      }
    }
  }
}

function onSignal(sig: NodeJS.Signals): void {
  // Someone else handles this signal: what it means for the process is theirs to decide, and they
  // stop what they started in order. The 'exit' hook still backs them up.
  if (process.listenerCount(sig) > 1) return;
  runAll();
  uninstall();
  // No listener is left, so the default action applies: the process ends by `sig`, as it would
  // have without locksim (exit status 128+n; a parent sees the signal).
  process.kill(process.pid, sig);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", runAll);
  for (const sig of stopSignals) process.on(sig, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off("exit", runAll);
  for (const sig of stopSignals) process.off(sig, onSignal);
}

function register(set: Set<StopSync>, stop: StopSync): () => void {
  set.add(stop);
  install();
  return () => {
    set.delete(stop);
    if (kills.size === 0 && finalizers.size === 0) uninstall();
  };
}

/**
 * Kills `child` with SIGKILL if this process ends while it runs (see the module comment). With
 * `group`, the whole process group it leads (it must have been spawned `detached`), which takes
 * along what it started itself. Unregisters when the child exits (after that its pid, and so its
 * group id once the group is empty, may belong to someone else); returns the unregister too.
 */
export function killAtProcessEnd(child: ChildProcess, options: { group?: boolean } = {}): () => void {
  const pid = child.pid;
  if (pid === undefined) return () => undefined;
  const unregister = register(kills, () => {
    // Not yet reaped, the leader holds its pid and so its group id: the group is still ours.
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (options.group) process.kill(-pid, "SIGKILL");
    else child.kill("SIGKILL");
  });
  child.once("exit", unregister);
  return unregister;
}

/**
 * Runs `finalize` (synchronous: e.g. removing a cluster's data directory) if this process ends
 * before the returned unregister is called, after every child registered with killAtProcessEnd is
 * killed.
 */
export function atProcessEnd(finalize: () => void): () => void {
  return register(finalizers, finalize);
}
