import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { withParentDeathSignal } from "../../replay/parent-death-signal.js";
import { killAtProcessEnd } from "../../replay/process-end-guard.js";
import { consulBinaryRuns } from "../../replay/consul-leftover.js";
import { ownChild } from "../test-children.js";

/** Whether a consul binary is on PATH; with CI=true its absence is an error, not a skip. */
export function requireConsulBinary(what: string): boolean {
  const have = consulBinaryRuns();
  if (!have && process.env.CI) throw new Error(`CI=true but no consul binary on PATH for ${what}`);
  return have;
}

/** A running `locksim` CLI (from source, through vite-node, as cli.test.ts runs it). */
export interface CliChild {
  pid: number;
  out(): string;
  err(): string;
  /** Settles when the process exits; `atMs` is performance.now() then. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
  /** Resolves once stdout or stderr matches `re`; rejects after `timeoutMs` or on exit. */
  waitFor(re: RegExp, timeoutMs: number): Promise<void>;
}

/**
 * Starts the CLI with `args`. CONSUL_HTTP_ADDR and CONSUL_HTTP_TOKEN are removed from its
 * environment unless given in `env`, so a developer's agent is never touched; TMPDIR may be set to
 * keep what locksim creates (cluster data) inside the test's own temp directory.
 *
 * The CLI never outlives the test that started it, nor this process: when the test ends while it
 * still runs (it failed or timed out), it gets SIGTERM and, after a grace, its process group gets
 * SIGKILL (test-children.ts); when this process ends (a vitest worker sent SIGTERM), its group is
 * SIGKILLed (process-end-guard.ts); when this process is SIGKILLed, the CLI gets SIGTERM from the
 * kernel (Linux, parent-death-signal.ts). It is spawned `detached` so that it leads a process group of
 * its own, which holds the consul agents it starts. Signals a test sends to `pid` reach the CLI
 * alone, as before; a Ctrl+C in the terminal no longer reaches it directly, but ends the worker,
 * which takes the group along.
 */
export function startCli(args: string[], env: Record<string, string | undefined> = {}): CliChild {
  const base = { ...process.env };
  delete base.CONSUL_HTTP_ADDR;
  delete base.CONSUL_HTTP_TOKEN;
  // If this process is SIGKILLed, the kernel sends the CLI SIGTERM: it cleans up as its contract says.
  const command = withParentDeathSignal("node_modules/.bin/vite-node", ["cli/main.ts", "--", ...args], "SIGTERM");
  const child = spawn(command.command, command.args, { cwd: process.cwd(), env: { ...base, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  killAtProcessEnd(child, { group: true });
  ownChild(child, { name: `locksim ${args.join(" ")}`, group: true });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal, atMs: performance.now() })));
  return {
    pid: child.pid!,
    out: () => out,
    err: () => err,
    exited,
    async waitFor(re, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      let done = false;
      void exited.then(() => (done = true));
      while (!re.test(out) && !re.test(err)) {
        if (done || performance.now() > deadline) throw new Error(`the CLI never printed ${re} (exited: ${done}); stdout:\n${out}\nstderr:\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** Runs the CLI to its end. */
export async function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; out: string; err: string; wallMs: number }> {
  const t0 = performance.now();
  const c = startCli(args, env);
  const { code, atMs } = await c.exited;
  return { code, out: c.out(), err: c.err(), wallMs: Math.round(atMs - t0) };
}

/** One line of /proc/<pid>/stat: state and parent. Undefined when the process is gone. */
function procStat(pid: number): { comm: string; state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = stat.lastIndexOf(")");
    const [state, ppid] = stat.slice(close + 2).split(" ");
    return { comm: stat.slice(stat.indexOf("(") + 1, close), state: state!, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

/** The `consul` processes whose parent is `pid` (what the CLI started). */
export function childConsulPids(pid: number): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((p) => {
      const s = procStat(p);
      return s !== undefined && s.ppid === pid && s.comm === "consul" && s.state !== "Z";
    });
}

/** Whether `pid` is still running (a zombie waiting to be reaped counts as gone). */
export function isRunning(pid: number): boolean {
  const s = procStat(pid);
  return s !== undefined && s.state !== "Z";
}

/** The command name of `pid` (/proc/<pid>/stat), or undefined when it is gone. */
export function commOf(pid: number): string | undefined {
  return procStat(pid)?.comm;
}

/**
 * SIGKILLs `pid` if it still runs and still has the command name `comm` it had when a test saw it
 * (a pid the kernel gave to another process since is left alone). For the cleanup of what a
 * failing test left behind.
 */
export function killIfStill(pid: number, comm: string): void {
  const s = procStat(pid);
  if (s === undefined || s.state === "Z" || s.comm !== comm) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // gone meanwhile
  }
}

/** What is on the agent: every session, and every key under a locksim prefix. */
export async function agentState(addr: string): Promise<{ sessions: { ID: string; Name: string }[]; locksimKeys: string[]; allKeys: string[] }> {
  const sessions = (await (await fetch(`${addr}/v1/session/list`)).json()) as { ID: string; Name: string }[];
  const res = await fetch(`${addr}/v1/kv/?keys`);
  const allKeys = res.status === 404 ? [] : ((await res.json()) as string[]);
  return { sessions, locksimKeys: allKeys.filter((k) => k.startsWith("locksim-")), allKeys };
}
