import { mkdtemp, mkdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConsulLeftover } from "../../replay/consul-leftover.js";

// The directory consul 1.8.7 makes at start-up (/tmp/consul-test) and never removes. A temp path
// stands in for the fixed one, so that consul processes other test files run meanwhile are not
// disturbed; the directory "consul makes" is made by the test after noteStart.
describe("ConsulLeftover", () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false);
  const fresh = async (): Promise<string> => join((root = await mkdtemp(join(tmpdir(), "locksim-leftover-"))), "consul-test");

  it("removes the directory our consul made, once it is empty", async () => {
    const leftover = new ConsulLeftover(await fresh());
    leftover.noteStart();
    await mkdir(leftover.path);
    leftover.remove();
    expect(await exists(leftover.path)).toBe(false);
  });

  it("keeps it when it was there before our first consul started", async () => {
    const leftover = new ConsulLeftover(await fresh());
    await mkdir(leftover.path);
    leftover.noteStart();
    leftover.noteStart();
    leftover.remove();
    expect(await exists(leftover.path)).toBe(true);
  });

  // Test files start agents in parallel: a start may find the directory another process's consul
  // made, which that process then removes before our consul comes up and makes it anew. Nobody
  // removed that one before (seen once after a full CI run).
  it("removes it when it was someone's at our start but was made anew by the time our consul ran", async () => {
    const leftover = new ConsulLeftover(await fresh());
    await mkdir(leftover.path);
    leftover.noteStart();
    await rm(leftover.path, { recursive: true });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await mkdir(leftover.path);
    leftover.remove();
    expect(await exists(leftover.path)).toBe(false);
  });

  it("keeps it, and what is in it, when it is not empty", async () => {
    const leftover = new ConsulLeftover(await fresh());
    leftover.noteStart();
    await mkdir(leftover.path);
    await writeFile(join(leftover.path, "kept.txt"), "someone's file");
    leftover.remove();
    expect(await exists(join(leftover.path, "kept.txt"))).toBe(true);
  });

  it("does nothing before any consul started, or when the directory is gone", async () => {
    const leftover = new ConsulLeftover(await fresh());
    await mkdir(leftover.path);
    leftover.remove();
    expect(await exists(leftover.path)).toBe(true);
    const gone = new ConsulLeftover(join(root!, "absent"));
    gone.noteStart();
    expect(() => gone.remove()).not.toThrow();
  });
});
