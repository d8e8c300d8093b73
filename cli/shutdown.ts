import { exitCodes } from "./exit-codes.js";
import { isWorldRejection } from "../sim/unhandled-rejections.js";

/** The abort reason when a rejection nothing handled stopped the command: it reports itself (no partial summary after it). */
export class StoppedByRejection extends Error {
  constructor() {
    super("stopped by a promise rejection that nothing handled");
  }
}

/** What the CLI says about a promise rejection nothing handled: its exit code and its report. */
export type RejectionReport = (reason: unknown) => { code: number; report: string };

/**
 * Signal handling as a contract (README, "Stopping locksim"): on SIGINT or SIGTERM every command
 * stops its workers (the `signal` below aborts), awaits the cleanup of what it created (sessions,
 * keys, agents, clusters, temp dirs), bounded by `graceMs`, prints what it removed, and exits 130
 * or 143. A second signal exits at once and says what may be left behind.
 *
 * A promise rejection that nothing handled, outside every simulated world, stops the command the
 * same way, with the code its report gives (3 when a worker runs: in a real run the worker's code
 * runs in this process, and a renew loop without a catch rejects on the first refused renew).
 * Without this Node would end the process at once, exit 1, leaving the run's sessions and keys
 * on the agent and the agent it started. A world's own rejections are its host's failure
 * (sim/unhandled-rejections.ts).
 */
export class Shutdown {
  private readonly controller = new AbortController();
  private readonly cleanups = new Map<string, () => Promise<void>>();
  private readonly removed: string[] = [];
  private stopping = false;
  private work: Promise<unknown> = Promise.resolve();

  constructor(private readonly graceMs = 10_000) {}

  /** Aborts when a stop signal arrives: long-running work passes it down and unwinds. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Registers a cleanup under a human name ("consul agent on :8500"); returns its unregister. */
  register(name: string, cleanup: () => Promise<void>): () => void {
    this.cleanups.set(name, cleanup);
    return () => this.cleanups.delete(name);
  }

  /** The command's own promise: on a signal it unwinds (its finally blocks clean up) and is awaited. */
  track(work: Promise<unknown>): void {
    this.work = work;
  }

  /** Notes something removed during an orderly unwind, for the closing report. */
  noteRemoved(what: string): void {
    this.removed.push(what);
  }

  /** Installs the SIGINT and SIGTERM handlers, and the one for rejections nothing handled, for the life of the process. */
  install(onRejection: RejectionReport): void {
    const onSignal = (sig: NodeJS.Signals): void => void this.stop(sig);
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    process.on("unhandledRejection", (reason) => {
      if (isWorldRejection()) return;
      if (this.stopping) {
        process.stderr.write(`locksim: while stopping, another promise rejection that nothing handled: ${reason instanceof Error ? reason.message : String(reason)}\n`);
        return;
      }
      const { code, report } = onRejection(reason);
      void this.unwind(code, `\n${report}\nlocksim: stopping the workers and cleaning up (at most ${this.graceMs / 1000}s)…\n`, new StoppedByRejection());
    });
  }

  private async stop(sig: NodeJS.Signals): Promise<void> {
    const code = sig === "SIGINT" ? exitCodes.sigint : exitCodes.sigterm;
    if (this.stopping) {
      process.stderr.write(`\nlocksim: second ${sig}: exiting now; may be left behind: ${[...this.cleanups.keys()].join(", ") || "nothing registered"} (run 'locksim cleanup' to remove leftovers)\n`);
      process.exit(code);
    }
    await this.unwind(code, `\nlocksim: ${sig}: stopping the workers and cleaning up (at most ${this.graceMs / 1000}s; send it again to exit at once)…\n`, new Error(`stopped by ${sig}`));
  }

  // Stops the work, runs the cleanups (bounded by graceMs), reports and exits with `code`.
  private async unwind(code: number, announce: string, why: Error): Promise<void> {
    this.stopping = true;
    process.stderr.write(announce);
    this.controller.abort(why);
    const startedMs = performance.now();
    const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), this.graceMs).unref());
    // First let the command unwind: its finally blocks remove sessions and keys and stop agents.
    // Then run what is still registered (each cleanup is idempotent) — also when the unwinding
    // hangs (an agent that stopped answering), after most of the grace period.
    const fallbackAfter = new Promise<void>((resolve) => setTimeout(resolve, this.graceMs * 0.6).unref());
    const all = Promise.race([this.work.catch(() => undefined), fallbackAfter]).then(() =>
      Promise.allSettled(
        [...this.cleanups.entries()].map(async ([name, fn]) => {
          await fn();
          this.cleanups.delete(name);
          this.removed.push(name);
        }),
      ),
    );
    const outcome = await Promise.race([all, timeout]);
    const tookMs = Math.round(performance.now() - startedMs);
    const list = this.removed.length ? this.removed.map((r) => `\n  - ${r}`).join("") : " nothing was left to remove";
    process.stderr.write(`locksim: cleaned up in ${tookMs}ms; removed:${list}\n`);
    if (outcome === "timeout" || this.cleanups.size) process.stderr.write(`locksim: not removed in time: ${[...this.cleanups.keys()].join(", ")} (run 'locksim cleanup')\n`);
    process.exit(code);
  }
}

/** The process's shutdown coordinator (the CLI is one process). */
export const shutdown = new Shutdown();
