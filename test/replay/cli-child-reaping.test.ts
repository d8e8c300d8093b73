import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsulBinary, type ConsulAgent } from "../../replay/consul-provider.js";
import { killAtProcessEnd } from "../../replay/process-end-guard.js";
import { recorded } from "../fixtures/test-children/state.js";
import { ownChild } from "../test-children.js";
import { commOf, isRunning, killIfStill, requireConsulBinary } from "./cli-child.js";

// Nothing a test starts outlives it. The fixtures in test/fixtures/test-children run in a vitest of
// their own (the suite's configuration and runner): tests that fail or time out while the locksim
// CLI they started runs, and a worker process killed with SIGTERM while a real-Consul fixture's
// agent and a CLI with an agent of its own run. Afterwards none of those processes may run.
const haveConsul = requireConsulBinary("the child-reaping tests");
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface JsonResults {
  testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
}

describe.skipIf(!haveConsul)("children a test starts do not outlive it", () => {
  let tmp = "";
  let agent: ConsulAgent | undefined;
  /** Every process the fixtures reported, with its command name then: killed in afterAll if still there. */
  const seen: { pid: number; comm: string | undefined }[] = [];
  const note = (pids: number[]): void => void seen.push(...pids.map((pid) => ({ pid, comm: commOf(pid) })));
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), "locksim-reaping-"));
    agent = await startConsulBinary();
  });
  afterAll(async () => {
    // Without the fix these outlive the fixtures: stop them here, so this file leaves none.
    for (const { pid, comm } of seen) if (comm) killIfStill(pid, comm);
    await agent?.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  /** Runs one fixture file in a vitest of its own; `state` is where its tests record their pids. */
  async function nested(file: string): Promise<{ state: string; results: string; exited: Promise<number | null>; out: () => string }> {
    const state = join(tmp, file);
    await mkdir(state);
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^(VITEST|TINYPOOL|CONSUL_HTTP_)/.test(k)) env[k] = v;
    const results = join(state, "results.json");
    // The kernel's parent-death signal (Linux) would also stop what a killed worker started; it is
    // turned off so that what is shown is what the worker's own guard does (process-end-guard.ts).
    Object.assign(env, { LOCKSIM_NO_PARENT_DEATH_SIGNAL: "1", LOCKSIM_NESTED_FILE: file, LOCKSIM_NESTED_RESULTS: results, LOCKSIM_NESTED_STATE: state, LOCKSIM_TEST_AGENT_ADDR: agent!.addr, TMPDIR: state });
    const child = spawn("node_modules/.bin/vitest", ["run", "--config", "test/fixtures/test-children/vitest.config.ts"], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    killAtProcessEnd(child, { group: true });
    ownChild(child, { name: `nested vitest ${file}`, group: true });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    return { state, results, exited, out: () => out };
  }

  /** The pids of `pids` still running after a bounded wait. */
  async function stillRunning(pids: number[]): Promise<number[]> {
    for (let i = 0; i < 150 && pids.some(isRunning); i++) await sleep(100);
    return pids.filter(isRunning);
  }

  it("a test that fails or times out has its CLI (and the agent the CLI started) stopped when it ends; a concurrent test keeps its own", { timeout: 400_000 }, async () => {
    const run = await nested("ended-tests");
    const code = await run.exited;
    const pids = ["fails", "times-out", "late"].flatMap((n) => {
      const r = recorded<{ cliPid: number; consulPids?: number[] }>(n, run.state);
      return r ? [r.cliPid, ...(r.consulPids ?? [])] : [];
    });
    note(pids);
    const results = JSON.parse(await readFile(run.results, "utf8")) as JsonResults;
    const byTitle = Object.fromEntries(results.testResults.flatMap((f) => f.assertionResults).map((a) => [a.title, { status: a.status, failure: a.failureMessages.join("\n") }]));
    expect(byTitle, run.out()).toEqual({
      fails: { status: "failed", failure: expect.stringContaining("this test fails on purpose while its CLI runs") },
      // The JSON reporter gives a time-out's stack only; the default reporter's text below names it.
      "times out": { status: "failed", failure: expect.any(String) },
      "keeps its own CLI while the other tests' CLIs are stopped": { status: "passed", failure: "" },
      "after them, while the file still runs: their CLIs, the agent one started, and a CLI started after its test ended are gone": { status: "passed", failure: "" },
    });
    expect(run.out()).toMatch(/Test timed out in 5000ms/);
    expect(code, "two fixture tests fail on purpose").toBe(1);
    expect(pids.length, "the CLIs and the agent were recorded").toBe(4);
    expect(await stillRunning(pids), "CLIs or agents left after the fixture run").toEqual([]);
    expect(run.out()).toMatch(/\[test-children\] test "fails" ended: "locksim replay gc-pause-longer-than-ttl .*" \(pid \d+\) still runs/);
  });

  it("SIGTERM to a vitest worker stops the real-Consul fixture's agent, and the CLI it started with the CLI's agent", { timeout: 300_000 }, async () => {
    const run = await nested("killed-worker");
    let up: { workerPid: number; fixturePid: number; cliPid: number; cliConsulPids: number[] } | undefined;
    for (let i = 0; i < 1_500 && !(up = recorded("worker", run.state)); i++) await sleep(100);
    expect(up, `the fixture test never came up:\n${run.out()}`).toBeDefined();
    const pids = [up!.fixturePid, up!.cliPid, ...up!.cliConsulPids];
    note(pids);
    expect(pids.filter(isRunning), "all up before the signal").toEqual(pids);
    expect(up!.cliConsulPids.length, "the CLI's own agent").toBe(1);
    process.kill(up!.workerPid, "SIGTERM");
    await run.exited;
    expect(await stillRunning([up!.workerPid, ...pids]), "processes left after the worker was killed").toEqual([]);
  });
});
