import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parentDeathSignalAvailable } from "../../replay/parent-death-signal.js";
import { killAtProcessEnd } from "../../replay/process-end-guard.js";
import { ownChild } from "../test-children.js";
import { commOf, isRunning, killIfStill, requireConsulBinary } from "./cli-child.js";

// Every agent locksim starts dies with the process that started it (design.md §2, Real Consul),
// also when that process is a library user's or a vitest worker that is sent SIGTERM or SIGINT and
// has no handler of its own (tinypool ends a worker with SIGTERM; Ctrl+C sends SIGINT), or that
// calls process.exit without stopping them. Each case starts test/fixtures/agent-parent.ts, which
// starts agents, prints their pids and ends as asked; then no agent it started may still run.
const haveConsul = requireConsulBinary("the agents-die-with-parent tests");
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Ready {
  pids: number[];
  cliPid?: number;
  dataDir?: string;
}

describe.skipIf(!haveConsul).concurrent("agents die with the process that started them", () => {
  let tmp = "";
  /** Every process the fixtures started, with its command name then: killed in afterAll if still there. */
  const seen: { pid: number; comm: string | undefined }[] = [];
  const note = (pids: number[]): void => void seen.push(...pids.map((pid) => ({ pid, comm: commOf(pid) })));
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), "locksim-parent-"));
  });
  afterAll(async () => {
    // Without the fix, the agents outlive their parent: stop them here, so the suite leaves none.
    for (const { pid, comm } of seen) if (comm) killIfStill(pid, comm);
    await rm(tmp, { recursive: true, force: true });
  });

  /**
   * Starts the fixture; resolves with what it printed once its agents are up. Except for the
   * SIGKILL cases, the kernel's parent-death signal is turned off, so that what is shown is what
   * process-end-guard.ts does (all there is on a system without setpriv).
   */
  async function parent(what: string, end: string, kernelToo = false): Promise<{ pid: number; ready: Ready; out: () => string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }> {
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, LOCKSIM_NO_PARENT_DEATH_SIGNAL: kernelToo ? undefined : "1" };
    delete env.CONSUL_HTTP_ADDR;
    delete env.CONSUL_HTTP_TOKEN;
    const child = spawn("node_modules/.bin/vite-node", ["test/fixtures/agent-parent.ts", what, end], { env, stdio: ["ignore", "pipe", "pipe"] });
    // Not detached: the test sends its signals to this process alone, and what it started must die
    // because of what it does, not because a group was killed. Should the test fail first, the
    // test's end still stops it (and the worker's end kills it).
    killAtProcessEnd(child);
    ownChild(child, { name: `agent-parent ${what} ${end}` });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    let done = false;
    void exited.then(() => (done = true));
    for (let i = 0; !out.includes("\n"); i++) {
      if (done || i > 2_000) throw new Error(`agent-parent ${what} ${end} never said it was ready (exited: ${done}); stdout:\n${out}\nstderr:\n${err}`);
      await sleep(50);
    }
    const ready = JSON.parse(out.split("\n")[0]!) as Ready;
    note(ready.pids);
    return { pid: child.pid!, ready, out: () => out, exited };
  }

  /** The pids of `pids` still running after a bounded wait (a SIGKILLed agent dies at once). */
  async function stillRunning(pids: number[]): Promise<number[]> {
    for (let i = 0; i < 100 && pids.some(isRunning); i++) await sleep(100);
    return pids.filter(isRunning);
  }

  for (const [what, sig] of [["provider", "SIGTERM"], ["fixture", "SIGTERM"], ["fixture", "SIGINT"]] as const) {
    it(`${sig} to a process that started an agent through the ${what === "provider" ? "provider (a library user)" : "test fixture (a vitest worker)"} stops the agent`, { timeout: 120_000 }, async () => {
      const p = await parent(what, "wait");
      expect(p.ready.pids.length, "the agent ran before the signal").toBe(1);
      expect(p.ready.pids.filter(isRunning)).toEqual(p.ready.pids);
      process.kill(p.pid, sig);
      // The process still ends by the signal, as it would have without locksim's handler.
      expect(await p.exited).toEqual({ code: null, signal: sig });
      expect(await stillRunning(p.ready.pids), "agents still running after their parent died").toEqual([]);
    });
  }

  it("SIGTERM to a process that started a cluster stops its agents and removes its data", { timeout: 120_000 }, async () => {
    const p = await parent("cluster", "wait");
    expect(p.ready.pids.length, "one server and the client agent").toBe(2);
    expect((await readdir(tmp)).filter((f) => p.ready.dataDir?.endsWith(f)), "the cluster's data dir exists").toHaveLength(1);
    process.kill(p.pid, "SIGTERM");
    expect(await p.exited).toEqual({ code: null, signal: "SIGTERM" });
    expect(await stillRunning(p.ready.pids), "agents still running after their parent died").toEqual([]);
    expect((await readdir(tmp)).filter((f) => p.ready.dataDir?.endsWith(f)), "the cluster's data dir was removed").toEqual([]);
  });

  it("a process that exits without stopping its agent takes the agent along", { timeout: 120_000 }, async () => {
    const p = await parent("provider", "exit");
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(await stillRunning(p.ready.pids), "agents still running after their parent exited").toEqual([]);
  });

  it("a process with its own SIGTERM handler keeps it: the handler runs and decides how to exit", { timeout: 120_000 }, async () => {
    const p = await parent("provider", "own-handler");
    process.kill(p.pid, "SIGTERM");
    // Had locksim's handler killed the agent and re-raised the signal, the process would have died
    // by SIGTERM before its own handler's stop() finished.
    expect(await p.exited).toEqual({ code: 3, signal: null });
    expect(p.out()).toContain("own handler stopped the agent");
    expect(await stillRunning(p.ready.pids)).toEqual([]);
  });

  // A SIGKILL cannot be caught: only the kernel can stop the agents then (parent-death-signal.ts).
  // The fixture's own cluster data directory stays behind in that case (this test's TMPDIR).
  for (const what of ["provider", "cluster", "cli"] as const) {
    it(`SIGKILL to a process that started ${what === "cli" ? "the locksim CLI, which started an agent" : `agents through the ${what}`}: the kernel stops them (setpriv --pdeathsig)`, { timeout: 150_000 }, async () => {
      expect(parentDeathSignalAvailable(), "setpriv (util-linux) with --pdeathsig on this Linux").toBe(true);
      const p = await parent(what, "wait", true);
      const pids = [...(p.ready.cliPid ? [p.ready.cliPid] : []), ...p.ready.pids];
      note(pids);
      expect(p.ready.pids.length, "agents ran before the signal").toBeGreaterThan(0);
      process.kill(p.pid, "SIGKILL");
      expect(await p.exited).toEqual({ code: null, signal: "SIGKILL" });
      expect(await stillRunning(pids), "processes still running after their parent was SIGKILLed").toEqual([]);
    });
  }

  it("SIGTERM to a process that started the locksim CLI (startCli) kills the CLI and the agent the CLI started", { timeout: 150_000 }, async () => {
    const p = await parent("cli", "wait");
    const cliPid = p.ready.cliPid!;
    note([cliPid]);
    expect(p.ready.pids.length, "the CLI's own agent ran before the signal").toBe(1);
    process.kill(p.pid, "SIGTERM");
    expect(await p.exited).toEqual({ code: null, signal: "SIGTERM" });
    expect(await stillRunning([cliPid, ...p.ready.pids]), "the CLI or its agent still running after the test process died").toEqual([]);
  });
});
