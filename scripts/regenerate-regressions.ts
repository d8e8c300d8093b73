// Regenerates the recorded verdicts and trace hashes of scenarios/regressions/*.json after a change
// of the trace encoding (say so in the commit). Run: npx tsx scripts/regenerate-regressions.ts
import { readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runScenarioFile } from "../properties/run-scenario-file.js";

const dir = "scenarios/regressions";
for (const f of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
  const path = join(dir, f);
  const raw = JSON.parse(readFileSync(path, "utf8")) as { expect: Record<string, unknown>; traceHashes?: Record<string, string> };
  const { runs } = await runScenarioFile(path);
  let name = f;
  for (const r of runs) {
    raw.expect[r.worker] = r.run.verdicts;
    if (raw.traceHashes) raw.traceHashes[r.worker] = r.run.traceHash;
    name = f.replace(/-[0-9a-f]{8}\.json$/, `-${r.run.traceHash.slice(0, 8)}.json`);
    process.stdout.write(`${f} · ${r.worker}: ${JSON.stringify(r.run.verdicts)} ${r.run.traceHash}\n`);
  }
  writeFileSync(path, `${JSON.stringify(raw, null, 2)}\n`);
  if (name !== f) renameSync(path, join(dir, name));
}
