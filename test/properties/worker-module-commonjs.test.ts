import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadWorker } from "../../properties/worker-ref.js";
import type { WorkerEnv } from "../../src/index.js";

// `npm init` writes "type": "commonjs": a user's .ts worker there loads as CommonJS, and Node's
// import shows its exports object as `default`. Before the fix, --worker-module answered
// "expected a WorkerFactory as the default export ...; found exports default".
describe("--worker-module in a CommonJS package", () => {
  const module = resolve("test/fixtures/commonjs-package/cjs-worker.ts");

  it("finds the default export and a named one", async () => {
    const signal = new AbortController().signal;
    const env = {} as WorkerEnv;
    const byDefault = await loadWorker({ module, export: "default" });
    await expect(byDefault.factory(env).run(signal)).rejects.toThrow("cjs-default");
    const named = await loadWorker({ module, export: "other" });
    await expect(named.factory(env).run(signal)).rejects.toThrow("cjs-other");
  });

  it("names the exports it found inside when the one asked for is missing", async () => {
    await expect(loadWorker({ module, export: "missing" })).rejects.toThrow(/expected a WorkerFactory exported as `missing`; found exports .*\bother\b/);
  });
});
