import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lintDeps } from "../../scripts/lint-deps.js";

const configFile = resolve(".dependency-cruiser.cjs");
const fixtures: string[] = [];

/** Writes a throw-away tree of files ({ "sim/a.ts": "…" }) and returns its root. */
function fixture(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "locksim-deps-"));
  fixtures.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

afterAll(() => {
  for (const root of fixtures) rmSync(root, { recursive: true, force: true });
});

// The same rules `npm run lint:deps` applies to the repository, run on small trees, so that we
// know they bite: a rule that never fails proves nothing.
describe("dependency rules (.dependency-cruiser.cjs)", () => {
  it("passes a tree whose imports point one way", async () => {
    const baseDir = fixture({
      "sim/a.ts": 'import { b } from "./b.js";\nexport const a = b + 1;\n',
      "sim/b.ts": "export const b = 1;\n",
      "src/c.ts": "export const c = 1;\n",
    });
    const result = await lintDeps({ paths: ["sim", "src"], configFile, baseDir });
    expect(result.violations).toEqual([]);
    expect(result.exitCode).toBe(0);
  });

  it("fails on an import circle in sim/, even when one side imports only types", async () => {
    const baseDir = fixture({
      "sim/a.ts": 'import type { B } from "./b.js";\nexport interface A { b?: B }\n',
      "sim/b.ts": 'import type { A } from "./a.js";\nexport interface B { a?: A }\n',
    });
    const result = await lintDeps({ paths: ["sim"], configFile, baseDir });
    expect(result.exitCode).toBeGreaterThan(0);
    // The cruiser reports a circle once, from one of its files, with the whole circle attached.
    expect(result.violations.length).toBeGreaterThan(0);
    for (const v of result.violations) {
      expect(v.rule.name).toBe("no-circular");
      expect([v.from, ...(v.cycle ?? []).map((c) => c.name)].sort()).toEqual(expect.arrayContaining(["sim/a.ts", "sim/b.ts"]));
    }
    expect(result.report).toMatch(/no-circular: sim\/[ab]\.ts → sim\/[ab]\.ts/);
  });

  it("fails when src/ imports the simulator or the CLI, and when sim/ imports the real-run side", async () => {
    const baseDir = fixture({
      "src/worker.ts": 'import { world } from "../sim/world.js";\nimport { cli } from "../cli/main.js";\nexport const w = [world, cli];\n',
      "sim/world.ts": 'import { agent } from "../replay/agent.js";\nexport const world = agent;\n',
      "replay/agent.ts": "export const agent = 1;\n",
      "cli/main.ts": "export const cli = 1;\n",
    });
    const result = await lintDeps({ paths: ["sim", "src", "replay", "cli"], configFile, baseDir });
    expect(result.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort()).toEqual([
      "sim-stays-simulated: sim/world.ts → replay/agent.ts",
      "src-is-production-code: src/worker.ts → cli/main.ts",
      "src-is-production-code: src/worker.ts → sim/world.ts",
    ]);
  });
});
