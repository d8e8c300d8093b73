import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { areasOf, consulSequenceArb, type ConsulOp } from "../../properties/consul-ops.js";
import { ModelTarget, RealTarget } from "./consul-target.js";
import { runConsulOps } from "./run-consul-ops.js";
import { realConsulForTests } from "../real-consul.js";

// LOCKSIM_DIFF_SEED picks the generator seed; LOCKSIM_DIFF_OPS (JSON) reruns one sequence.
const seed = Number(process.env.LOCKSIM_DIFF_SEED ?? 20261122);
const runs = Number(process.env.LOCKSIM_DIFF_RUNS ?? 200);
const sequences: ConsulOp[][] = process.env.LOCKSIM_DIFF_OPS
  ? [JSON.parse(process.env.LOCKSIM_DIFF_OPS) as ConsulOp[]]
  : fc.sample(consulSequenceArb, { seed, numRuns: runs });

const agent = await realConsulForTests();

describe.skipIf(!agent)("differential: model vs real Consul on generated call sequences", () => {
  afterAll(async () => {
    await agent?.stop();
  });

  it(`agrees on ${sequences.length} sequences (seed ${seed})`, { timeout: 240_000 }, async () => {
    // All sequences run at once against the agent, each under its own key prefix: the wall time
    // is that of the longest sequence (at most 45s of sleeps).
    const targets = sequences.map(() => new RealTarget(agent!.addr));
    const real = await Promise.all(sequences.map((ops, i) => runConsulOps(targets[i]!, ops)));
    const leftovers = await Promise.all(targets.map((t) => t.cleanup()));
    const windows = real.flatMap((r) => r.timeline.doneAtMs.map((d, j) => d - r.timeline.sentAtMs[j]!)).sort((a, b) => a - b);
    console.log(`real call windows (ms): median ${windows[windows.length >> 1]?.toFixed(1)}, p99 ${windows[Math.floor(windows.length * 0.99)]?.toFixed(1)}, max ${windows[windows.length - 1]?.toFixed(1)}`);
    const disagreements: string[] = [];
    let sawExpiry = 0;
    let sawLockDelay = 0;
    let cut = 0;
    for (let i = 0; i < sequences.length; i++) {
      const model = new ModelTarget(`diff-${seed}-${i}`);
      const realRun = real[i]!;
      // The model replays the real run's timeline, so both see time pass alike.
      const modelRun = await runConsulOps(model, sequences[i]!, realRun.timeline);
      if (model.world.trace.ofKind("consul.session.expire").length > 0) sawExpiry++;
      if (model.world.trace.ofKind("consul.kv.lock-delay").length > 0) sawLockDelay++;
      const [m, r] = [modelRun.steps, realRun.steps];
      const at = m.findIndex((s, j) => !isDeepStrictEqual(s, r[j]));
      const lengthDiffers = at < 0 && m.length !== r.length;
      if (at < 0 && !lengthDiffers) continue;
      if (at >= 0 && modelRun.firstAmbiguousStep !== undefined && at >= modelRun.firstAmbiguousStep) {
        // The real agent served this call within its latency of a deadline: either answer is right.
        cut++;
        continue;
      }
      disagreements.push(
        `sequence ${i} disagrees at step ${at} (${m[at]?.call ?? "length"}):\n` +
          `  model: ${JSON.stringify(m[at])}\n  real:  ${JSON.stringify(r[at])}\n` +
          `  replay: LOCKSIM_DIFF_OPS='${JSON.stringify(sequences[i])}' npx vitest run test/consul/differential.test.ts`,
      );
    }
    // How many sequences exercise each area of issue 12 (a sequence counts once per area).
    const perArea = Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((a) => [a, sequences.filter((ops) => ops.some((o) => areasOf(o).includes(a))).length]));
    console.log(`differential areas (issue 12): ${sequences.length} sequences; sequences per area ${JSON.stringify(perArea)}`);
    expect(disagreements, disagreements.join("\n\n")).toEqual([]);
    expect(leftovers.filter((l) => l.sessionsLeft.length > 0 || l.keysLeft > 0)).toEqual([]);
    if (!process.env.LOCKSIM_DIFF_OPS) {
      // The sequences must actually cross the time bounds they are meant to test.
      expect({ sawExpiry, sawLockDelay }).toEqual({ sawExpiry: expect.any(Number), sawLockDelay: expect.any(Number) });
      expect(sawExpiry, `sequences that crossed a TTL expiry: ${sawExpiry}`).toBeGreaterThanOrEqual(10);
      expect(sawLockDelay, `sequences that hit a lock-delay: ${sawLockDelay}`).toBeGreaterThanOrEqual(10);
      // Calls that landed near a deadline are rare by construction; many would mean a timing bug.
      expect(cut, `sequences cut at an ambiguous call: ${cut}`).toBeLessThanOrEqual(sequences.length / 20);
      // Every area is exercised by a fair share of the sequences.
      for (const [area, count] of Object.entries(perArea)) expect(count, `sequences in area ${area}`).toBeGreaterThanOrEqual(sequences.length / 10);
    }
    console.log(`differential: ${sequences.length} sequences agree (${cut} compared up to an ambiguous call); ${sawExpiry} crossed a TTL expiry, ${sawLockDelay} hit a lock-delay`);
  });
});
