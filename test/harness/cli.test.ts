import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readdirSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";

/** Runs the CLI from source; resolves with its exit code and output. */
function locksim(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("node_modules/.bin/vite-node", ["cli/main.ts", "--", ...args], { cwd: process.cwd() }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

// Every temp dir a test makes is removed when the file is done, also after a failure.
const temps: string[] = [];
async function temp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "locksim-"));
  temps.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

describe("locksim CLI", () => {
  it("run --json twice with the same seed prints the same traceHash; exit 0 when the verdicts meet the expectations, 1 with --strict", async () => {
    const a = await locksim("run", "scenarios/gc-pause-longer-than-ttl.json", "--worker", "naive", "--json", "--seed", "77");
    const b = await locksim("run", "scenarios/gc-pause-longer-than-ttl.json", "--worker", "naive", "--json", "--seed", "77", "--strict");
    expect(a.code).toBe(0);
    expect(b.code).toBe(1);
    const ja = JSON.parse(a.stdout) as { verdicts: Record<string, string>; traceHash: string };
    const jb = JSON.parse(b.stdout) as { verdicts: Record<string, string>; traceHash: string };
    expect(ja.verdicts.atMostOnce).toBe("violated");
    expect(ja.traceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(jb.traceHash).toBe(ja.traceHash);
    expect(Object.keys(ja.verdicts).sort()).toEqual(["atMostOnce", "exclusiveExecution", "fencing", "liveness", "modelInvariants"]);
  });

  it("run exits 0 when every check holds, and prints a timeline", async () => {
    const r = await locksim("run", "scenarios/crash-mid-task.json", "--worker", "fenced");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/FAULT: crash w1, no restart/);
    expect(r.stdout).toMatch(/EFFECT: t1 committed by w2 with token \d+/);
  });

  it("replays a saved counterexample to a byte-identical trace", async () => {
    const files = readdirSync("scenarios/regressions").filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const r = await locksim("replay", join("scenarios/regressions", f));
      expect(r.stdout).toMatch(/replay: byte-identical to the recorded trace/);
      expect(r.stdout).not.toMatch(/MISMATCH/);
    }
  });

  it("check finds the naive worker's double effect, writes a counterexample and prints its replay command", async () => {
    const out = await temp();
    const r = await locksim("check", "--worker", "naive", "--runs", "300", "--seed", "4", "--out", out);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/COUNTEREXAMPLE after \d+ run\(s\)/);
    const file = /saved: (\S+)/.exec(r.stdout)?.[1];
    expect(file).toBeDefined();
    expect(r.stdout).toContain(`replay: locksim replay ${file}`);
    const replay = await locksim("replay", file!);
    expect(replay.stdout).toMatch(/byte-identical/);
  });

  it("check --keep-going over a worker that breaks at-most-once exits 1 and says so (no counterexample is shrunk)", async () => {
    const r = await locksim("check", "--worker", "naive", "--runs", "100", "--seed", "4", "--keep-going");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/naive: 100 runs, SAFETY VIOLATED: atMostOnce in \d+ run\(s\)/);
    expect(r.stdout).not.toMatch(/no safety check violated/);
  });

  it("runs your own worker from a module (--worker-module), and names a module that exports none", async () => {
    const r = await locksim("run", "scenarios/gc-pause-longer-than-ttl.json", "--worker-module", "examples/check-before-commit-worker.ts", "--json");
    // The scenario has no expectations for this worker: it must be safe, and it is not.
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { worker: string; verdicts: Record<string, string> };
    expect(out.worker).toBe("check-before-commit-worker");
    expect(out.verdicts.atMostOnce).toBe("violated");
    const bad = await locksim("run", "scenarios/gc-pause-longer-than-ttl.json", "--worker-module", "src/errors.ts");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--worker-module .*src\/errors.ts: expected a WorkerFactory as the default export, as `worker`, or as the only exported function; found exports/);
  });

  it("bad input: exit 2 and a message naming the file, the field, what was expected and what was found", async () => {
    const dir = await temp();
    const bad = join(dir, "bad.json");
    await writeFile(bad, JSON.stringify({ name: "x", why: "y", seed: 1, consul: { ttlMs: 5000 }, workers: { count: 2 }, tasks: [{ id: "t1", durationMs: 10 }], faults: [{ type: "pause", atMs: 0, worker: "w9", durationMs: 1 }], horizonMs: 60000, expect: { naive: {} } }));
    const r = await locksim("run", bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}: field consul.ttlMs: expected number to be >=10000; found 5000`);
    expect(r.stderr).toContain(`${bad}: field faults[0].worker: expected one of the scenario's 2 worker(s), w1…w2; found "w9"`);
    const notJson = join(dir, "broken.json");
    await writeFile(notJson, "{ nope");
    const r2 = await locksim("run", notJson);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(`scenario ${notJson} is not valid JSON`);
    const r3 = await locksim("run", "scenarios/crash-mid-task.json", "--worker", "nosuch");
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain('expected one of naive, consul-api-lock, fenced, txn-fenced; found "nosuch"');
    const r4 = await locksim("run", join(dir, "missing.json"));
    expect(r4.code).toBe(2);
    expect(r4.stderr).toContain("cannot read scenario");
  });

  // Each of these used to run: a zero or unit-less budget judged nothing and exited 0, a seed past
  // 2^53 was silently another seed, shard 2/2 of a budget-only sweep skipped 4.5 × 10^15 runs
  // (100% CPU, deaf to Ctrl+C), and option errors ignored --json.
  it("check refuses flags that would judge nothing, or something else than asked, with exit 2", { timeout: 120_000 }, async () => {
    const cases: [string[], string][] = [
      [["--time-budget", "0s"], `option '--time-budget <duration>' argument '0s' is invalid. expected a duration greater than 0 with its unit, such as 500ms, 90s, 15m or 2h; found "0s"`],
      [["--time-budget", "10"], `expected a duration greater than 0 with its unit, such as 500ms, 90s, 15m or 2h; found "10" (no unit)`],
      [["--seed", "99999999999999999999"], `expected a whole number between -9007199254740991 and 9007199254740991 (or a word, hashed to a seed); found "99999999999999999999"`],
      [["--worker-module", "./w.ts"], "--worker and --worker-module: expected one worker to sweep; found both (--worker naive, --worker-module ./w.ts)"],
      [["--time-budget", "2s", "--shard", "2/2"], "--shard 2/2 with --time-budget: expected --runs too"],
      [["--require-marks", ","], `--require-marks: expected a comma-separated list of mark names, or "default"; found ","`],
    ];
    for (const [args, message] of cases) {
      const r = await locksim("check", "--worker", "naive", ...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(`locksim: bad input: `);
      expect(r.stderr).toContain(message);
    }
    const fewRuns = await locksim("check", "--worker", "naive", "--runs", "3", "--shard", "4/4");
    expect(fewRuns.code).toBe(2);
    expect(fewRuns.stderr).toContain("--shard 4/4: expected at least 4 runs to split; found --runs 3");
    const asJson = await locksim("check", "--worker", "naive", "--shard", "0/4", "--json");
    expect(asJson.code).toBe(2);
    expect(JSON.parse(asJson.stdout)).toEqual({ error: { kind: "bad input", exitCode: 2, message: `option '--shard <i/n>' argument '0/4' is invalid. expected i/n with 1 ≤ i ≤ n (e.g. 2/4); found "0/4"` } });
  });

  it("a time budget's end is said as such, with the runs judged and the budget as given", { timeout: 120_000 }, async () => {
    const r = await locksim("check", "--worker", "fenced", "--runs", "1000000", "--time-budget", "1500ms", "--seed", "3", "--keep-going", "--threads", "1");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/time budget of 1500ms reached: \d+ of 1000000 run\(s\) judged \(summary above\)/);
  });

  // A file that names no worker a command line can load (a counterexample found for a factory)
  // used to replay nothing and exit 0; with --real it would start an agent to run nothing.
  it("replay of a file that names no runnable worker is refused (exit 2), in the simulator and with --real", { timeout: 120_000 }, async () => {
    const dir = await temp();
    const file = join(dir, "factory-cex.json");
    await writeFile(file, JSON.stringify({ name: "x", why: "y", seed: 1, consul: { ttlMs: 10000 }, workers: { count: 2 }, tasks: [{ id: "t1", durationMs: 5000 }], faults: [], horizonMs: 60000, expect: { "my-factory": {} } }));
    for (const args of [["replay", file], ["replay", file, "--real"]]) {
      const r = await locksim(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(`${file}: expected a worker to run it with; found none: the file names no worker, and its expectations are for my-factory, no reference kind`);
      expect(r.stdout).not.toContain("replaying");
    }
  });

  it("exit codes follow the scenario's expectations: a wrong expectation exits 1 and names the mismatch; --out that is a file exits 2", async () => {
    const dir = await temp();
    try {
      const wrong = JSON.parse(await readFile("scenarios/crash-mid-task.json", "utf8")) as { expect: Record<string, Record<string, string>> };
      wrong.expect.fenced!.atMostOnce = "violated";
      const file = join(dir, "wrong.json");
      await writeFile(file, JSON.stringify(wrong));
      const r = await locksim("run", file, "--worker", "fenced");
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("MISMATCH atMostOnce: expected violated, got holds");
      const asFile = join(dir, "not-a-dir");
      await writeFile(asFile, "x");
      const out = await locksim("check", "--worker", "naive", "--runs", "50", "--seed", "4", "--out", asFile);
      expect(out.code).toBe(2);
      expect(out.stderr).toContain(`--out ${asFile}: expected a directory`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a custom worker that logs nothing: exclusive execution and fencing are not applicable, never holds", async () => {
    const r = await locksim("run", "scenarios/crash-mid-task.json", "--worker-module", "test/fixtures/workers/silent-worker.ts", "--json");
    const out = JSON.parse(r.stdout) as { verdicts: Record<string, string>; details: Record<string, string> };
    expect(out.verdicts.exclusiveExecution).toBe("not-applicable");
    expect(out.details.exclusiveExecution).toBe("not applicable: no task starts were recorded");
    expect(out.verdicts.fencing).toBe("not-applicable");
    expect(out.verdicts.modelInvariants).toBe("not-applicable");
    // The effect is judged from the resource's own records, whatever the worker logs.
    expect(out.verdicts.atMostOnce).toBe("holds");
    expect(r.code).toBe(0);
  });
});
