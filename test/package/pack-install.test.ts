// What a user does: pack locksim, install the tarball into a fresh ESM project, run the command and
// import both entry points from there. It proves the tarball holds everything the CLI and the entry
// points load (design.md §2, "The user's path"), which no test from the source tree can.
//
// It is never skipped in CI. Outside CI, LOCKSIM_SKIP_PACK=1 skips it (it builds and runs
// `npm install`, about a minute), with a loud warning.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const skip = !process.env.CI && process.env.LOCKSIM_SKIP_PACK === "1";
if (skip) console.warn("\n*** SKIPPING the pack-install test (LOCKSIM_SKIP_PACK=1; ignored when CI is set)\n");

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command; resolves with its exit code and output (never rejects on a non-zero exit). */
function run(cmd: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<Ran> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === "number" ? (error as { code: number }).code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** Fails with the command's output when it did not exit as expected. */
function expectExit(r: Ran, code: number, what: string): void {
  if (r.code !== code) throw new Error(`${what}: exit ${r.code}, expected ${code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
}

// A user's own worker in plain JavaScript, written against the public API only: the README's
// deliberately bad worker (lock with a session, renew nothing, never check).
const myWorker = `import { jobRunner } from "locksim";

export default (env) =>
  jobRunner(env, {
    async tryLock(_task, key, signal) {
      const session = await env.consul.sessionCreate({ ttlMs: env.settings.ttlMs });
      if (!(await env.consul.kvPut(key, env.workerId, { acquire: session }))) {
        await env.consul.sessionDestroy(session);
        return null;
      }
      return {
        signal,
        stillHeld: () => true,
        async release() {
          await env.consul.kvPut(key, null, { release: session });
          await env.consul.sessionDestroy(session);
        },
      };
    },
  });
`;

// A user's worker that keeps memory from run to run: the recommended fenced worker, plus a
// module-level cache of 1 MB per host started that nothing ever empties (a leak).
const leakyWorker = `import { fencedWorker } from "locksim";

const cache = [];
export default (env) => {
  cache.push(new Float64Array(131072).fill(cache.length));
  return fencedWorker(env);
};
`;

const importAll = `import * as main from "locksim";
import * as sim from "locksim/sim";
import * as real from "locksim/real";
const pick = (mod, names) => Object.fromEntries(names.map((n) => [n, typeof mod[n]]));
console.log(JSON.stringify({
  main: pick(main, ["jobRunner", "naiveWorker", "fencedWorker", "ConsulClientPort", "systemClock", "provideConsul", "runRealFleet", "startConsulCluster"]),
  sim: pick(sim, ["runScenario", "loadScenario"]),
  real: pick(real, ["provideConsul", "ConsulProviderError", "startConsulCluster", "runRealFleet", "runScenarioReal", "replaySideBySide", "agentFor", "formatSideBySide"]),
}));
`;

/**
 * The user's own files: the example workers (TypeScript, imported from "locksim" as a user would)
 * in workers/, and the vitest suite of examples/vitest beside them.
 */
async function copyUserFiles(app: string): Promise<void> {
  await mkdir(join(app, "workers"));
  for (const f of await readdir(join(repoRoot, "examples/workers"))) {
    const text = await readFile(join(repoRoot, "examples/workers", f), "utf8");
    await writeFile(join(app, "workers", f), text.replaceAll("../../src/index.js", "locksim"));
  }
  for (const f of (await readdir(join(repoRoot, "examples/vitest"))).filter((n) => n.endsWith(".test.ts"))) {
    await writeFile(join(app, f), await readFile(join(repoRoot, "examples/vitest", f), "utf8"));
  }
}

interface CheckSummary {
  runs: number;
  counterexample?: { foundAtRun: number; faults: number; failedChecks: string[]; detail: string; file: string; replay: string };
}

describe.skipIf(skip)("the packed package, installed into a fresh project", () => {
  let work = "";
  let app = "";
  let packed: string[] = [];
  let version = "";

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "locksim-pack-"));
    const packDir = join(work, "pack");
    app = join(work, "app");
    await mkdir(packDir);
    await mkdir(app);
    // `npm pack` runs `prepare`, which builds dist/ from a clean slate: the tarball is this tree.
    const pack = await run("npm", ["pack", "--json", "--pack-destination", packDir], repoRoot, 300_000);
    expectExit(pack, 0, "npm pack");
    const info = (JSON.parse(pack.stdout.slice(pack.stdout.indexOf("["))) as { filename: string; version: string; files: { path: string }[] }[])[0]!;
    packed = info.files.map((f) => f.path);
    version = info.version;
    await writeFile(join(app, "package.json"), JSON.stringify({ name: "locksim-user-app", version: "1.0.0", private: true, type: "module" }, null, 2));
    await writeFile(join(app, "my-worker.js"), myWorker);
    await writeFile(join(app, "import-all.js"), importAll);
    await writeFile(join(app, "leaky-worker.js"), leakyWorker);
    await copyUserFiles(app);
    const vitest = (JSON.parse(await readFile(join(repoRoot, "package.json"), "utf8")) as { devDependencies: Record<string, string> }).devDependencies.vitest!;
    const install = await run("npm", ["install", join(packDir, info.filename), `vitest@${vitest}`, "--no-audit", "--no-fund", "--prefer-offline"], app, 480_000);
    expectExit(install, 0, "npm install <tarball>");
  }, 600_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("ships dist/replay and the scenarios, never scenarios/regressions", () => {
    expect(packed).toContain("dist/replay/index.js");
    expect(packed).toContain("dist/replay/index.d.ts");
    expect(packed).toContain("dist/cli/main.js");
    expect(packed).toContain("scenarios/gc-pause-longer-than-ttl.json");
    expect(packed).toContain("scenarios/scenario.schema.json");
    expect(packed.filter((p) => p.startsWith("scenarios/regressions"))).toEqual([]);
  });

  it("npx locksim --help and --version", async () => {
    const help = await run("npx", ["locksim", "--help"], app);
    expectExit(help, 0, "locksim --help");
    expect(help.stdout).toMatch(/Usage: locksim/);
    expect(help.stdout).toMatch(/scenarios/);
    const v = await run("npx", ["locksim", "--version"], app);
    expectExit(v, 0, "locksim --version");
    expect(v.stdout.trim()).toBe(version);
  });

  it("npx locksim scenarios lists the shipped scenarios with their why (and --json)", async () => {
    const text = await run("npx", ["locksim", "scenarios"], app);
    expectExit(text, 0, "locksim scenarios");
    expect(text.stdout).toMatch(/^gc-pause-longer-than-ttl +The holder stops the world/m);
    const json = await run("npx", ["locksim", "scenarios", "--json"], app);
    expectExit(json, 0, "locksim scenarios --json");
    const list = JSON.parse(json.stdout) as { name: string; why: string }[];
    expect(list.map((s) => s.name)).toContain("crash-mid-task");
    expect(list.every((s) => s.why.length > 0)).toBe(true);
    expect(list.map((s) => s.name)).not.toContain("scenario.schema");
  });

  it("npx locksim run <shipped name> --worker fenced --json", async () => {
    const r = await run("npx", ["locksim", "run", "gc-pause-longer-than-ttl", "--worker", "fenced", "--json"], app);
    // Exit 0: exclusive execution breaks under the pause for any lease, as the scenario expects; the effect stays single.
    expectExit(r, 0, "locksim run gc-pause-longer-than-ttl --worker fenced");
    const out = JSON.parse(r.stdout) as { worker: string; verdicts: Record<string, string>; traceHash: string };
    expect(out.worker).toBe("fenced");
    expect(out.verdicts).toEqual({ atMostOnce: "holds", exclusiveExecution: "violated", fencing: "holds", liveness: "holds", modelInvariants: "holds" });
    expect(out.traceHash).toMatch(/^[0-9a-f]{64}$/);
    const missing = await run("npx", ["locksim", "run", "no-such-scenario"], app);
    expectExit(missing, 2, "locksim run no-such-scenario");
    expect(missing.stderr).toMatch(/shipped scenarios: .*gc-pause-longer-than-ttl/);
  });

  it("npx locksim run <shipped name> --worker-module ./my-worker.js (imports from \"locksim\")", async () => {
    const r = await run("npx", ["locksim", "run", "gc-pause-longer-than-ttl", "--worker-module", "./my-worker.js", "--json"], app);
    expectExit(r, 1, "locksim run --worker-module ./my-worker.js");
    const out = JSON.parse(r.stdout) as { worker: string; verdicts: Record<string, string> };
    expect(out.worker).toBe("my-worker");
    expect(out.verdicts.atMostOnce).toBe("violated");
  });

  it("node imports locksim, locksim/sim and locksim/real; the real-run infrastructure is only in locksim/real", async () => {
    const r = await run("node", ["import-all.js"], app);
    expectExit(r, 0, "node import-all.js");
    const out = JSON.parse(r.stdout) as Record<"main" | "sim" | "real", Record<string, string>>;
    expect(out.main).toEqual({
      jobRunner: "function",
      naiveWorker: "function",
      fencedWorker: "function",
      ConsulClientPort: "function",
      systemClock: "object",
      provideConsul: "undefined",
      runRealFleet: "undefined",
      startConsulCluster: "undefined",
    });
    expect(out.sim).toEqual({ runScenario: "function", loadScenario: "function" });
    expect(Object.values(out.real).every((t) => t === "function")).toBe(true);
  });

  // Issue 10, "What it must show" 2-3 and 5: a user's TypeScript workers, swept and replayed.
  it("check finds a counterexample for a worker whose token repeats, and one for a worker whose token can go down", { timeout: 300_000 }, async () => {
    for (const w of ["constant-token-worker", "lock-index-worker"]) {
      const r = await run("npx", ["locksim", "check", "--worker-module", `./workers/${w}.ts`, "--runs", "2000", "--seed", "1", "--json", "--out", "counterexamples"], app, 280_000);
      expectExit(r, 1, `locksim check ${w}`);
      const s = JSON.parse(r.stdout) as CheckSummary;
      console.log(`${w}: counterexample at run ${s.counterexample?.foundAtRun}, shrunk to ${s.counterexample?.faults} fault(s): ${s.counterexample?.detail}`);
      expect(s.counterexample?.failedChecks).toContain("fencing");
      expect(s.counterexample?.detail).toMatch(/presented token \d+, which (repeats|is lower than) token/);
      // The saved file reruns with no other flags: the same worker, its verdicts met, the same trace.
      const replay = await run("npx", ["locksim", "replay", s.counterexample!.file], app);
      expectExit(replay, 0, `locksim replay ${s.counterexample!.file}`);
      expect(replay.stdout).toMatch(/replay: byte-identical to the recorded trace/);
      // With the fixed worker, the file is that worker's regression test.
      const fixed = await run("npx", ["locksim", "replay", s.counterexample!.file, "--worker-module", "./workers/modify-index-worker.ts", "--expect-fixed"], app);
      expectExit(fixed, 0, "locksim replay --expect-fixed with the fixed worker");
      const stillBroken = await run("npx", ["locksim", "replay", s.counterexample!.file, "--expect-fixed"], app);
      expectExit(stillBroken, 1, "locksim replay --expect-fixed with the broken worker");
    }
  });

  // With the default resource (highest-token) seed 1 reaches, at run 1,017, the drift case the README
  // describes (a 0.2x clock and a pause: the local lease outlives the session, the stale commit
  // lands first); claim-then-commit, where the next holder raises the fence before it works, closes it.
  it("check holds for a worker whose token is the ModifyIndex read with ?consistent, over 10,000 runs (claim-then-commit)", { timeout: 600_000 }, async () => {
    const r = await run("npx", ["locksim", "check", "--worker-module", "./workers/modify-index-worker.ts", "--runs", "10000", "--seed", "1", "--resource", "claim-then-commit", "--json"], app, 590_000);
    expectExit(r, 0, "locksim check modify-index-worker --runs 10000");
    const s = JSON.parse(r.stdout) as CheckSummary & { runsPerSec: number };
    expect(s.runs).toBe(10_000);
    expect(s.counterexample).toBeUndefined();
    // A worker that keeps nothing from run to run never has its sweep threads replaced.
    expect((s as { keptMemory?: unknown }).keptMemory).toBeUndefined();
    console.log(`modify-index-worker: 10,000 runs held, ${s.runsPerSec} runs/s`);
  });

  // Each thread keeps ~150 MB after its first batch (50 runs × 2–4 hosts × 1 MB), past the 128 MB
  // at which the pool replaces it; without that, typed arrays (outside the heap limit) grew the
  // process to 4.7 GB in 1,500 runs, and JS objects would kill the thread at its 256 MB limit.
  it("a worker that keeps memory from run to run: its sweep threads are replaced, the sweep completes and says so", { timeout: 300_000 }, async () => {
    const args = ["locksim", "check", "--worker-module", "./leaky-worker.js", "--runs", "400", "--seed", "2", "--resource", "claim-then-commit", "--keep-going", "--threads", "2"];
    const json = await run("npx", [...args, "--json"], app, 290_000);
    expectExit(json, 0, "locksim check leaky-worker --json");
    const s = JSON.parse(json.stdout) as CheckSummary & { keptMemory?: { threadsReplaced: number; mbMax: number } };
    expect(s.runs).toBe(400);
    expect(s.keptMemory?.threadsReplaced).toBeGreaterThanOrEqual(2);
    expect(s.keptMemory?.mbMax).toBeGreaterThanOrEqual(128);
    const text = await run("npx", args, app, 290_000);
    expectExit(text, 0, "locksim check leaky-worker");
    expect(text.stdout).toMatch(/note: \d+ sweep thread\(s\) were replaced because the worker kept memory from run to run: up to \d+ MB after a full GC/);
  });

  it("with the default resource, check finds the drift case in the same worker (a property expected to find a bug does)", { timeout: 600_000 }, async () => {
    const r = await run("npx", ["locksim", "check", "--worker-module", "./workers/modify-index-worker.ts", "--runs", "3000", "--seed", "1", "--json"], app, 590_000);
    expectExit(r, 1, "locksim check modify-index-worker --runs 3000 (highest-token)");
    const s = JSON.parse(r.stdout) as CheckSummary;
    expect(s.counterexample?.failedChecks).toContain("atMostOnce");
    expect(s.counterexample?.detail).toMatch(/task t\d+ took effect twice/);
    console.log(`modify-index-worker, highest-token: counterexample at run ${s.counterexample?.foundAtRun}: ${s.counterexample?.detail}`);
  });

  it("the vitest example: the good worker passes, the broken one fails with its story and replay command", { timeout: 600_000 }, async () => {
    const good = await run("npx", ["vitest", "run", "my-worker.test.ts"], app, 590_000);
    expectExit(good, 0, "vitest run my-worker.test.ts");
    const broken = await run("npx", ["vitest", "run", "broken-worker.test.ts"], app, 590_000);
    expectExit(broken, 0, "vitest run broken-worker.test.ts (it asserts the failure)");
  });
});
