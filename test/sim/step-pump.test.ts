import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { World } from "../../sim/world.js";
import { buildEchoWorld } from "../../sim/echo-workload.js";
import { drainMode } from "../../sim/step-pump.js";
import type { HostFactory } from "../../sim/host.js";

const run = promisify(execFile);

/** A host that wakes at 10 ms, logs, goes through `depth` awaits (and a nextTick if asked), and logs again. */
function deepWaker(log: string[], depth: number, withTick: boolean): HostFactory {
  return (ctx) => ({
    async run(signal) {
      await ctx.clock.sleepMs(10, signal);
      log.push(`${ctx.hostId}:wake`);
      for (let i = 0; i < depth; i++) await Promise.resolve();
      if (withTick) await new Promise<void>((resolve) => process.nextTick(resolve));
      for (let i = 0; i < depth; i++) await Promise.resolve();
      log.push(`${ctx.hostId}:done`);
    },
  });
}

// Two hosts wake at the same virtual time; the seed decides which goes first. Whichever it is,
// everything its wake-up released must run before the other host's event.
async function sameTimeLog(seed: number, depth: number, withTick: boolean): Promise<string[]> {
  const log: string[] = [];
  const world = new World({ seed });
  world.addHost({ id: "a", factory: deepWaker(log, depth, withTick) });
  world.addHost({ id: "b", factory: deepWaker(log, depth, withTick) });
  await world.run();
  return log;
}

describe("the step pump", () => {
  it("drains between turns in place (Node's runNextTicks), unless --pending-deprecation asks otherwise", () => {
    const pending = process.env.NODE_PENDING_DEPRECATION === "1" || /--pending[-_]deprecation/.test(`${process.execArgv.join(" ")} ${process.env.NODE_OPTIONS ?? ""}`);
    expect(drainMode).toBe(pending ? "macrotask" : "in-place");
  });

  it("runs every continuation an event released, however deep, before the next event", async () => {
    const firsts = new Set<string>();
    for (let seed = 1; seed <= 8; seed++) {
      const log = await sameTimeLog(seed, 200, false);
      const first = log[0]!.split(":")[0]!;
      const second = first === "a" ? "b" : "a";
      expect(log).toEqual([`${first}:wake`, `${first}:done`, `${second}:wake`, `${second}:done`]);
      firsts.add(first);
    }
    // Both orders were seen, so the check covered each host going first.
    expect(firsts.size).toBe(2);
  });

  it("also runs a process.nextTick callback that world code queued, and what it released, before the next event", async () => {
    for (let seed = 1; seed <= 8; seed++) {
      const log = await sameTimeLog(seed, 20, true);
      expect(log[1]).toBe(log[0]!.replace(":wake", ":done"));
    }
  });

  it("gives the same trace with the macrotask barrier (the fallback under --pending-deprecation)", async () => {
    const world = buildEchoWorld({ seed: "drain-modes", durationMs: 300_000 });
    await world.run();
    const { stdout } = await run("node_modules/.bin/vite-node", ["test/fixtures/echo-hash.ts", "drain-modes", "300000", "mode"], {
      cwd: process.cwd(),
      env: { ...process.env, NODE_PENDING_DEPRECATION: "1" },
    });
    expect(stdout.trim()).toBe(`macrotask ${world.trace.hash()}`);
  });

  // World code that queues a process.nextTick, and a rejection handled one event late: the two
  // cases where the barrier the pump replaced behaved differently from the in-place drain.
  it("gives the same traces and reports the same unhandled rejection in both drain modes", async () => {
    const child = async (env: Record<string, string>): Promise<string[]> => {
      const { stdout } = await run("node_modules/.bin/vite-node", ["test/fixtures/drain-worlds-main.ts"], { cwd: process.cwd(), env: { ...process.env, ...env } });
      return stdout.trim().split("\n");
    };
    const [inPlace, macrotask] = await Promise.all([child({ NODE_PENDING_DEPRECATION: "" }), child({ NODE_PENDING_DEPRECATION: "1" })]);
    expect(inPlace[0]).toBe("in-place");
    expect(macrotask[0]).toBe("macrotask");
    expect(macrotask.slice(1)).toEqual(inPlace.slice(1));
    expect(inPlace[1]).toMatch(/^ticks [0-9a-f]{64}$/);
    // Reported when the event that rejected it had drained, as Node would at the end of a macrotask,
    // and blamed on the host, which dies of it as its process would.
    expect(inPlace[2]).toBe("late-handler at 5 ms on h (unhandled promise rejection: Error: rejected at 5 ms), host crashed, 1 failure(s)");
  });

  // The world's listener takes only the world's rejections: another one, left unhandled by code
  // outside the world while it runs, still ends the process as Node's default would.
  it("leaves a rejection that is not the world's to Node, in both drain modes", async () => {
    for (const pending of ["", "1"]) {
      const r = await run("node_modules/.bin/vite-node", ["test/fixtures/drain-worlds-main.ts", "foreign"], { cwd: process.cwd(), env: { ...process.env, NODE_PENDING_DEPRECATION: pending } }).then(
        (ok) => ({ code: 0, ...ok }),
        (e: { code?: number; stdout: string; stderr: string }) => ({ code: e.code ?? -1, stdout: e.stdout, stderr: e.stderr }),
      );
      expect(r.stdout).not.toContain("foreign rejection not reported");
      expect(r.code, pending).not.toBe(0);
      expect(r.stderr).toContain("not the world's rejection");
    }
  });

  // vitest's listener leaves a rejection alone when it sees another listener; so did the world's.
  it("steps aside for a test runner's listener that defers to others, so that it reports a rejection not the world's", async () => {
    const { stdout } = await run("node_modules/.bin/vite-node", ["test/fixtures/drain-worlds-main.ts", "deferring"], { cwd: process.cwd() });
    expect(stdout).toContain(`deferring listener reported: ["not the world's rejection"]`);
  });
});
