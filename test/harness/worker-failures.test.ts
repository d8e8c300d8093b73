import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { mergeCommand } from "../../cli/check-command.js";
import { checkWorker, WorkerCheckFailedError } from "../../properties/check-worker.js";
import { mergeSummaryFiles } from "../../properties/merge-summaries.js";
import { runSweep } from "../../properties/sweep.js";
import throwingWorker from "../fixtures/workers/throwing-worker.js";
import livelockWorker from "../fixtures/workers/livelock-worker.js";
import { World } from "../../sim/world.js";
import { runCli } from "../replay/cli-child.js";

// The CLI from source (cli-child.ts: it never outlives the test), with stdout and stderr.
const locksim = async (...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> => {
  const r = await runCli(args);
  return { code: r.code, stdout: r.out, stderr: r.err };
};

// What a promise rejected with (undefined if it resolved).
const rejection = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e);

const unhandled = "test/fixtures/workers/unhandled-renew-worker.ts";

// A worker that fails (throws, rejects, or leaves a promise rejection unhandled) is the worker's
// failure, exit 3, in a single run and in a sweep. Before, a sweep passed a worker that threw in
// every run ("no safety check violated", exit 0), and an unhandled rejection crashed the CLI
// with Node's exit 1 (a sweep) or an internal error, exit 4 (a run).
describe("the worker under test failed: exit 3, with the run that shows it", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "locksim-worker-failures-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("run: an unhandled rejection ends its host as it would end the process, and the run says so", { timeout: 120_000 }, async () => {
    const r = await locksim("run", "partition-holder-from-consul", "--worker-module", unhandled, "--no-check-determinism");
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/w1 +worker failed: unhandled promise rejection: ConsulUnavailableError: session\.renew/);
    expect(r.stdout).toMatch(/w1 +crashed/);
    // The other worker still finishes the task: the run goes on without the dead host.
    expect(r.stdout).toMatch(/EFFECT: t1 committed by w2/);
    expect(r.stderr).toMatch(/the worker under test failed:[\s\S]*on w1 at t=\d+ms: unhandled promise rejection: ConsulUnavailableError/);
    const json = await locksim("run", "partition-holder-from-consul", "--worker-module", unhandled, "--no-check-determinism", "--json");
    expect(json.code).toBe(3);
    // The verdicts match the scenario's, yet the run is no pass: a reader of `ok` must not see one.
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { exitCode: 3 }, workerFailures: [{ hostId: "w1" }] });
  });

  it("check: the first run the worker failed in is shrunk and saved; check and its replay exit 3", { timeout: 240_000 }, async () => {
    const out = join(dir, "cex");
    const r = await locksim("check", "--worker-module", unhandled, "--runs", "200", "--seed", "1", "--out", out);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/WORKER FAILED after \d+ run\(s\) \(\d+ms\), shrunk/);
    expect(r.stdout).toMatch(/\n {2}the worker failed on w\d at t=\d+ms: unhandled promise rejection/);
    const files = await readdir(out);
    expect(files).toHaveLength(1);
    const replay = await locksim("replay", join(out, files[0]!));
    expect(replay.code).toBe(3);
    expect(replay.stdout).toContain("byte-identical to the recorded trace");
    expect(replay.stdout).toContain("but THE WORKER FAILED in this run (below; exit 3)");
    expect(replay.stdout).not.toContain("expectations met");
    expect(replay.stderr).toMatch(/unhandled promise rejection/);
  });

  it("checkWorker throws with the failure as the counterexample", { timeout: 120_000 }, async () => {
    const error = await rejection(checkWorker(throwingWorker, { runs: 20, seed: 2, outDir: null, name: "throwing" }));
    expect(error).toBeInstanceOf(WorkerCheckFailedError);
    const c = (error as WorkerCheckFailedError).summary.counterexample!;
    expect(c.kind).toBe("worker-failed");
    expect(c.foundAtRun).toBe(1);
    expect((error as Error).message).toMatch(/throwing failed \(it threw, rejected or left a promise rejection unhandled\) after 1 generated run/);
    expect(c.detail).toMatch(/the worker failed on w\d at t=\d+ms: Error: boom from the worker/);
  });

  it("checkWorker: a livelock is the worker's failure too, as in `locksim run`", { timeout: 120_000 }, async () => {
    const error = await rejection(checkWorker(livelockWorker, { runs: 3, seed: 2, outDir: null, name: "livelock" }));
    expect(error).toBeInstanceOf(WorkerCheckFailedError);
    const c = (error as WorkerCheckFailedError).summary.counterexample!;
    expect(c.kind).toBe("worker-failed");
    expect(c.detail).toMatch(/the worker never let virtual time move \(a livelock\): .*sameTimeStepsMax/);
  });

  it("a rejection the world's own event leaves unhandled (no host) fails the run as locksim's error, not the worker's", async () => {
    const world = new World({ seed: 1 });
    world.schedule({ atMs: 5, label: "model.bug", run: () => void Promise.reject(new Error("a bug of the model")) });
    await expect(world.run()).rejects.toThrow(/unhandled promise rejection in the simulator's own event \(t=5ms\): Error: a bug of the model/);
    expect(world.hostFailures).toEqual([]);
  });

  it("two worlds running at once in one thread: a rejection is blamed on the world and host whose event released it", async () => {
    const build = (rejectAtMs: number | undefined): World => {
      const world = new World({ seed: 3 });
      world.network.register("echo", (request) => request);
      for (const id of ["a", "b"]) {
        world.addHost({
          id,
          factory: (ctx) => ({
            async run(signal) {
              for (let i = 0; i < 200; i++) {
                await ctx.clock.sleepMs(7, signal);
                if (id === "b" && rejectAtMs !== undefined && ctx.clock.nowMs() >= rejectAtMs) void Promise.reject(new Error(`b gave up at ${ctx.clock.nowMs()}`));
                await ctx.call("echo", i, { timeoutMs: 1_000, signal, op: "echo" });
              }
            },
          }),
        });
      }
      return world;
    };
    const [quiet, failing] = [build(undefined), build(500)];
    await Promise.all([quiet.run(), failing.run()]);
    expect(quiet.hostFailures).toEqual([]);
    expect(failing.hostFailures).toHaveLength(1);
    expect(failing.hostFailures[0]).toMatchObject({ hostId: "b", message: expect.stringMatching(/^unhandled promise rejection: Error: b gave up at 50\d$/) });
    expect(failing.host("b").state).toBe("crashed");
    expect(failing.host("a").state).toBe("exited");
  });

  it("--keep-going counts the runs; merged shards exit 3 as the unsharded sweep does", { timeout: 120_000 }, async () => {
    const worker = { factory: throwingWorker, name: "throwing" };
    const whole = await runSweep({ worker, runs: 40, seed: 3, threads: 1, keepGoing: true });
    expect(whole.counterexample).toBeUndefined();
    expect(whole.workerFailures).toBe(40);
    const files: string[] = [];
    for (const index of [1, 2]) {
      const file = join(dir, `shard-${index}.json`);
      await writeFile(file, JSON.stringify(await runSweep({ worker, runs: 40, seed: 3, threads: 1, keepGoing: true, shard: { index, count: 2 } })));
      files.push(file);
    }
    expect((await mergeSummaryFiles(files)).workerFailures).toBe(whole.workerFailures);
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => (lines.push(String(chunk)), true));
    try {
      expect(await mergeCommand(files, {})).toBe(3);
    } finally {
      write.mockRestore();
    }
    expect(lines.join("")).toContain("WORKER FAILED in 40 run(s)");
  });
});
