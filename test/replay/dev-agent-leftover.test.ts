import { mkdtemp, mkdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { removeDevAgentLeftover } from "../../replay/dev-agent-leftover.js";

// The directory a stopped dev agent leaves (consul 1.8.7 makes /tmp/consul-test itself): removed
// when empty, kept when anyone put something in it. A temp path stands in for the fixed one, so
// that agents other test files run at the same time are not disturbed.
describe("removeDevAgentLeftover", () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false);

  it("removes the directory when it is empty", async () => {
    root = await mkdtemp(join(tmpdir(), "locksim-leftover-"));
    const dir = join(root, "consul-test");
    await mkdir(dir);
    await removeDevAgentLeftover(dir);
    expect(await exists(dir)).toBe(false);
  });

  it("keeps it, and what is in it, when it is not empty", async () => {
    root = await mkdtemp(join(tmpdir(), "locksim-leftover-"));
    const dir = join(root, "consul-test");
    await mkdir(dir);
    await writeFile(join(dir, "kept.txt"), "someone's file");
    await removeDevAgentLeftover(dir);
    expect(await exists(join(dir, "kept.txt"))).toBe(true);
  });

  it("does nothing when the directory is not there", async () => {
    root = await mkdtemp(join(tmpdir(), "locksim-leftover-"));
    await expect(removeDevAgentLeftover(join(root, "absent"))).resolves.toBeUndefined();
  });
});
