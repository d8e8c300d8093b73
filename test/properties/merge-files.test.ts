import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { mergeCommand } from "../../cli/check-command.js";
import { mergeSummaryFiles } from "../../properties/merge-summaries.js";
import { runSweep } from "../../properties/sweep.js";
import { InputError } from "../../src/errors.js";

// `locksim merge` reads files: what a shard's check wrote with --json. A shard that failed wrote
// {"error": …} instead; before the summary was validated, merging it ended in an internal error
// ("Cannot read properties of undefined (reading 'count')", exit 4).
describe("locksim merge: summary files", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "locksim-merge-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function shardFiles(): Promise<string[]> {
    const files: string[] = [];
    for (const index of [1, 2]) {
      const summary = await runSweep({ worker: "fenced", runs: 10, seed: 4, threads: 1, shard: { index, count: 2 } });
      const file = join(dir, `shard-${index}.json`);
      await writeFile(file, JSON.stringify(summary));
      files.push(file);
    }
    return files;
  }

  it("merges what shards wrote, and refuses a shard's error file as bad input, quoting its message", { timeout: 60_000 }, async () => {
    const [one, two] = await shardFiles();
    const merged = await mergeSummaryFiles([one!, two!]);
    expect(merged.runs).toBe(10);
    expect(merged.shard).toEqual({ index: 1, count: 1, from: 0, to: 10 });
    const failed = join(dir, "failed.json");
    await writeFile(failed, JSON.stringify({ error: { kind: "bad input", exitCode: 2, message: "--worker-module ./w.ts: expected a WorkerFactory" } }));
    const error = await mergeSummaryFiles([one!, failed]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/failed\.json: expected a shard's summary; found the error its check wrote \(bad input: --worker-module \.\/w\.ts: expected a WorkerFactory\)/);
  });

  it("names the file, the field, what was expected and what was found", async () => {
    const broken = join(dir, "broken.json");
    await writeFile(broken, JSON.stringify({ worker: "fenced", seed: 1, faults: null, resource: null, sequenceRuns: 10, shard: { index: 0, count: 2, from: 0, to: 5 }, runs: "5" }));
    const error = await mergeSummaryFiles([broken]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    const message = (error as Error).message;
    expect(message).toMatch(/broken\.json: field shard\.index: expected .*; found 0/);
    expect(message).toMatch(/broken\.json: field runs: expected number; found "5"/);
    expect(message).toMatch(/broken\.json: field command: expected string; found nothing/);
  });

  it("checks the parts merge adds up or prints: every check's count, and the counterexample's story", { timeout: 60_000 }, async () => {
    const [one] = await shardFiles();
    const good = JSON.parse(await readFile(one!, "utf8")) as Record<string, unknown>;
    const noCounts = join(dir, "no-counts.json");
    await writeFile(noCounts, JSON.stringify({ ...good, violations: {} }));
    await expect(mergeSummaryFiles([noCounts])).rejects.toThrow(/no-counts\.json: field violations\.atMostOnce: expected number; found nothing/);
    const thinCounterexample = join(dir, "thin.json");
    await writeFile(thinCounterexample, JSON.stringify({ ...good, counterexample: { foundAtRun: 3 } }));
    await expect(mergeSummaryFiles([thinCounterexample])).rejects.toThrow(/thin\.json: field counterexample\.failedChecks: expected array; found nothing/);
  });

  // Under --keep-going no run stops a shard and none is shrunk, so a shard's summary counts its
  // violations without a counterexample. merge once answered 0 and "no safety check violated" for
  // such shards, where the unsharded sweep exits 1.
  it("exits 1 when shards that ran with --keep-going counted safety violations, and says which", { timeout: 60_000 }, async () => {
    const files: string[] = [];
    for (const index of [1, 2]) {
      const summary = await runSweep({ worker: "naive", runs: 400, seed: 5, threads: 1, keepGoing: true, shard: { index, count: 2 } });
      expect(summary.counterexample).toBeUndefined();
      const file = join(dir, `keep-going-${index}.json`);
      await writeFile(file, JSON.stringify(summary));
      files.push(file);
    }
    const merged = await mergeSummaryFiles(files);
    expect(merged.violations.atMostOnce).toBeGreaterThan(0);
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => (out.push(String(chunk)), true));
    try {
      expect(await mergeCommand(files, {})).toBe(1);
    } finally {
      write.mockRestore();
    }
    expect(out.join("")).toContain(`SAFETY VIOLATED: atMostOnce in ${merged.violations.atMostOnce} run(s)`);
  });

  // A shard whose threads were replaced for memory the worker kept says so in its summary; the
  // merged summary keeps the note whichever shard saw it: it is the worker's, not the shard's.
  it("keeps a shard's kept-memory note: threads replaced add up, the most kept is the max", { timeout: 60_000 }, async () => {
    const [one, two] = await shardFiles();
    const first = JSON.parse(await readFile(one!, "utf8")) as Record<string, unknown>;
    const second = JSON.parse(await readFile(two!, "utf8")) as Record<string, unknown>;
    expect(first.keptMemory).toBeUndefined();
    const leakyOne = join(dir, "leaky-1.json");
    const leakyTwo = join(dir, "leaky-2.json");
    await writeFile(leakyOne, JSON.stringify({ ...first, keptMemory: { threadsReplaced: 2, mbMax: 140 } }));
    await writeFile(leakyTwo, JSON.stringify({ ...second, keptMemory: { threadsReplaced: 3, mbMax: 171 } }));
    expect((await mergeSummaryFiles([leakyOne, leakyTwo])).keptMemory).toEqual({ threadsReplaced: 5, mbMax: 171 });
    expect((await mergeSummaryFiles([one!, leakyTwo])).keptMemory).toEqual({ threadsReplaced: 3, mbMax: 171 });
    expect((await mergeSummaryFiles([one!, two!])).keptMemory).toBeUndefined();
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => (out.push(String(chunk)), true));
    try {
      expect(await mergeCommand([leakyOne, leakyTwo], {})).toBe(0);
    } finally {
      write.mockRestore();
    }
    expect(out.join("")).toContain("note: 5 sweep thread(s) were replaced because the worker kept memory from run to run: up to 171 MB");
  });

  // Shards stopped by a time budget or Ctrl+C judged part of their slices; merged, they looked like
  // the whole sweep.
  it("says INCOMPLETE when a shard stopped early, with the runs judged of the sequence's", { timeout: 60_000 }, async () => {
    const [one, two] = await shardFiles();
    const first = JSON.parse(await readFile(one!, "utf8")) as Record<string, unknown>;
    const stopped = join(dir, "stopped-1.json");
    await writeFile(stopped, JSON.stringify({ ...first, runs: 2, interrupted: true }));
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => (out.push(String(chunk)), true));
    try {
      await mergeCommand([stopped, two!], {});
      await mergeCommand([one!, two!], {});
    } finally {
      write.mockRestore();
    }
    const text = out.join("");
    expect(text.match(/INCOMPLETE/g)).toHaveLength(1);
    expect(text).toContain("INCOMPLETE: some shards stopped early (a time budget or Ctrl+C): 7 of 10 run(s) judged, so the counts are not the whole sweep's");
  });
});
