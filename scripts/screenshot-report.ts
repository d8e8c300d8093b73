// Writes docs/report-gc-pause-naive.png, the README's picture of an HTML report: the naive worker
// in gc-pause-longer-than-ttl, rendered by headless Chromium (Debian's chromium, driven by
// playwright-core). `npx tsx scripts/screenshot-report.ts [out.png]`
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { renderHtmlReport, reportRunOf } from "../sim/report/html-report.js";
import { loadScenario } from "../sim/scenario/load-scenario.js";
import { runScenario } from "../sim/scenario/run-scenario.js";
import { haveChromium, chromiumPath, launchChromium } from "../test/report/headless-chromium.js";

const out = resolve(process.argv[2] ?? "docs/report-gc-pause-naive.png");
if (!haveChromium()) {
  process.stderr.write(`screenshot-report: ${chromiumPath} not found; install Debian's chromium (apt-get install chromium)\n`);
  process.exit(2);
}
const scenario = await loadScenario("scenarios/gc-pause-longer-than-ttl.json");
const run = await runScenario(scenario, { worker: "naive" });
const dir = await mkdtemp(join(tmpdir(), "locksim-screenshot-"));
const browser = await launchChromium();
try {
  const file = join(dir, "report.html");
  await writeFile(file, renderHtmlReport({ title: scenario.name, subtitle: scenario.why, runs: [reportRunOf(run)] }));
  const page = await browser.newPage({ viewport: { width: 1400, height: 400 }, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  await mkdir(dirname(out), { recursive: true });
  // The page's own content height: no empty margin below the chart.
  await page.screenshot({ path: out, fullPage: true });
  process.stdout.write(`wrote ${out}\n`);
} finally {
  await browser.close();
  await rm(dir, { recursive: true, force: true });
}
