import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsulBinary, type ConsulAgent } from "../../replay/consul-provider.js";
import { agentState, childConsulPids, isRunning, requireConsulBinary, startCli, type CliChild } from "./cli-child.js";

// The signal contract (README, "Stopping locksim") on real agents: SIGINT or SIGTERM sent to the
// CLI 20s into a real replay stops the workers, removes every session and key of the runs, stops
// every agent and cluster locksim started (and removes their data), then exits 130 or 143. Each
// test has its own agent (a shared one would see the other tests' sessions).
const haveConsul = requireConsulBinary("the signal tests");
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!haveConsul).concurrent("a real replay stopped by a signal leaves nothing behind", () => {
  const agents: ConsulAgent[] = [];
  let tmp = "";
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), "locksim-signals-"));
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await rm(tmp, { recursive: true, force: true });
  });

  /** An agent of the test's own, stopped in afterAll. */
  async function ownAgent(): Promise<ConsulAgent> {
    const agent = await startConsulBinary();
    agents.push(agent);
    return agent;
  }

  /** Starts the CLI with TMPDIR inside the test's temp dir, so cluster data can be looked for. */
  async function cli(name: string, args: string[], env: Record<string, string> = {}): Promise<{ child: CliChild; dir: string; t0: number }> {
    const dir = join(tmp, name);
    await mkdir(dir);
    return { child: startCli(args, { TMPDIR: dir, ...env }), dir, t0: performance.now() };
  }

  /** Sends `sig` at `atMs` after the start; returns the exit and what was running just before. */
  async function interrupt(c: { child: CliChild; t0: number }, sig: NodeJS.Signals, atMs: number): Promise<{ code: number | null; consulPids: number[]; stopMs: number }> {
    await c.child.waitFor(/replaying /, 60_000);
    await sleep(Math.max(0, c.t0 + atMs - performance.now()));
    const consulPids = childConsulPids(c.child.pid);
    const sentAt = performance.now();
    process.kill(c.child.pid, sig);
    const { code, atMs: exitAt } = await c.child.exited;
    return { code, consulPids, stopMs: Math.round(exitAt - sentAt) };
  }

  /** What every stopped run must show: no session, no locksim key, no consul process or data left. */
  async function expectNothingLeft(addr: string | undefined, consulPids: number[], dir: string): Promise<void> {
    if (addr) expect(await agentState(addr)).toMatchObject({ sessions: [], locksimKeys: [] });
    expect(consulPids.filter(isRunning), "consul processes locksim started that still run").toEqual([]);
    expect((await readdir(dir)).filter((f) => f.startsWith("locksim-cluster-")), "cluster data left").toEqual([]);
  }

  for (const [sig, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    it(`${sig} 20s into gc-pause-longer-than-ttl --real (all three workers, --consul-addr): exit ${code}, sessions and keys removed`, { timeout: 90_000 }, async () => {
      const agent = await ownAgent();
      const c = await cli(`gc-${sig}`, ["replay", "gc-pause-longer-than-ttl", "--real", "--consul-addr", agent.addr]);
      await c.child.waitFor(/replaying /, 60_000);
      await sleep(Math.max(0, c.t0 + 19_000 - performance.now()));
      const before = await agentState(agent.addr);
      expect(before.sessions.length, "the runs hold sessions before the signal").toBeGreaterThan(0);
      expect(before.locksimKeys.length, "the runs hold keys before the signal").toBeGreaterThan(0);
      const r = await interrupt(c, sig, 20_000);
      expect({ code: r.code, err: c.child.err() }).toMatchObject({ code, err: expect.stringMatching(new RegExp(`${sig}: stopping the workers[\\s\\S]*removed:[\\s\\S]*session\\(s\\)[\\s\\S]*worker fenced`)) });
      expect(c.child.err()).not.toMatch(/internal error|not removed in time/);
      await expectNothingLeft(agent.addr, r.consulPids, join(tmp, `gc-${sig}`));
      console.log(`${sig} gc-pause: ${before.sessions.length} session(s), ${before.locksimKeys.length} key(s) before; exit ${r.code} ${r.stopMs}ms after the signal; ${/cleaned up in \d+ms/.exec(c.child.err())?.[0]}`);
    });
  }

  // In a real run the worker's code runs in the CLI's process: a renew loop without a catch
  // rejects on the first dropped renew. Node's default ended the process at once (exit 1) and
  // left the run's sessions and keys on the agent, and any agent locksim had started.
  it("a promise rejection the worker leaves unhandled in a real replay: exit 3, sessions and keys removed", { timeout: 90_000 }, async () => {
    const agent = await ownAgent();
    const c = await cli("unhandled", ["replay", "scenarios/missed-renewals.json", "--worker-module", "test/fixtures/workers/unhandled-renew-worker.ts", "--real", "--consul-addr", agent.addr]);
    const { code } = await c.child.exited;
    expect({ code, err: c.child.err() }).toMatchObject({
      code: 3,
      err: expect.stringMatching(/the worker under test failed: a promise rejection that nothing handled: ConsulUnavailableError: session\.renew[\s\S]*stopping the workers[\s\S]*removed:[\s\S]*session\(s\)/),
    });
    expect(c.child.err()).not.toMatch(/internal error|not removed in time/);
    await expectNothingLeft(agent.addr, [], join(tmp, "unhandled"));
  });

  // A worker that throws failed in both worlds; before, `replay --real` said "expectations met", exit 0.
  it("a worker that throws: replay --real exits 3 as run does, naming the failure in each world", { timeout: 90_000 }, async () => {
    const agent = await ownAgent();
    const c = await cli("throws", ["replay", "scenarios/crash-mid-task.json", "--worker-module", "test/fixtures/workers/throwing-worker.ts", "--real", "--consul-addr", agent.addr]);
    const { code } = await c.child.exited;
    expect({ code, out: c.child.out(), err: c.child.err() }).toMatchObject({
      code: 3,
      out: expect.stringContaining("but THE WORKER FAILED in this run (below; exit 3)"),
      err: expect.stringMatching(/on w1 at t=\d+ms \(simulator\): Error: boom from the worker[\s\S]*on w1 at t=\d+ms \(real Consul\): Error: boom from the worker/),
    });
    await expectNothingLeft(agent.addr, [], join(tmp, "throws"));
  });

  it("SIGTERM stops the `consul agent -dev` locksim started itself (no CONSUL_HTTP_ADDR)", { timeout: 90_000 }, async () => {
    const c = await cli("provider-SIGTERM", ["replay", "gc-pause-longer-than-ttl", "--real", "--worker", "fenced"]);
    await c.child.waitFor(/replaying .*\(binary/, 60_000);
    const addr = /on Consul at (\S+) \(binary/.exec(c.child.out())![1]!;
    const r = await interrupt(c, "SIGTERM", 20_000);
    expect(r.consulPids.length, "locksim's own agent ran before the signal").toBe(1);
    expect(r.code).toBe(143);
    expect(c.child.err()).toMatch(new RegExp(`removed:[\\s\\S]*session\\(s\\)[\\s\\S]*the Consul agent locksim started at ${addr} \\(pid ${r.consulPids[0]}\\)`));
    await expectNothingLeft(undefined, r.consulPids, join(tmp, "provider-SIGTERM"));
    await expect(fetch(`${addr}/v1/status/leader`)).rejects.toThrow();
    console.log(`SIGTERM with locksim's own agent (pid ${r.consulPids[0]}): exit ${r.code} ${r.stopMs}ms after the signal; ${/cleaned up in \d+ms/.exec(c.child.err())?.[0]}`);
  });

  it("SIGINT during a failover replay stops its 3-server cluster and removes the cluster's data", { timeout: 120_000 }, async () => {
    const agent = await ownAgent();
    const c = await cli("failover-SIGINT", ["replay", "leader-failover-during-task", "--real", "--worker", "naive"], { CONSUL_HTTP_ADDR: agent.addr });
    await c.child.waitFor(/replaying /, 60_000);
    // Wait for the cluster (3 servers and a client agent), then let the run go on for a while.
    for (let i = 0; i < 600 && childConsulPids(c.child.pid).length < 4; i++) await sleep(50);
    const clusterUpMs = performance.now() - c.t0;
    expect((await readdir(join(tmp, "failover-SIGINT"))).filter((f) => f.startsWith("locksim-cluster-")).length, "the cluster's data dir exists").toBe(1);
    const r = await interrupt(c, "SIGINT", Math.max(20_000, clusterUpMs + 8_000));
    expect(r.consulPids.length, "the cluster's agents (the killed leader may be gone)").toBeGreaterThanOrEqual(3);
    expect(r.code).toBe(130);
    expect(c.child.err()).toMatch(/removed:[\s\S]*session\(s\)[\s\S]*the Consul cluster \(pids [\d, ]+\) and its data in /);
    await expectNothingLeft(agent.addr, r.consulPids, join(tmp, "failover-SIGINT"));
    console.log(`SIGINT failover: cluster up ${(clusterUpMs / 1000).toFixed(1)}s after start; exit ${r.code} ${r.stopMs}ms after the signal; ${/cleaned up in \d+ms/.exec(c.child.err())?.[0]}`);
  });
});
