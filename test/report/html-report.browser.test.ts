import { statSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHtmlReport, reportRunOf } from "../../sim/report/html-report.js";
import { loadScenario } from "../../sim/scenario/load-scenario.js";
import { runScenario } from "../../sim/scenario/run-scenario.js";

import { chromiumPath, haveChromium, launchChromium } from "./headless-chromium.js";

const chromiumHere = haveChromium();
if (!chromiumHere) {
  if (process.env.CI) throw new Error(`${chromiumPath} is missing: CI must run the HTML report's browser test (apt-get install chromium)`);
  console.warn(`\n*** SKIPPING the HTML report's browser test: ${chromiumPath} not found (set CI=true to make this an error)\n`);
}

/** Every "http://" or "https://" in the HTML that is not inside a text node (a tag, a script, a style). */
function urlsOutsideText(html: string): string[] {
  const found: string[] = [];
  for (const block of html.matchAll(/<(script|style)\b[^>]*>([\s\S]*?)<\/\1>/g)) found.push(...(block[2]!.match(/https?:\/\/\S*/g) ?? []));
  const rest = html.replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/g, "");
  for (const m of rest.matchAll(/https?:\/\/[^\s"'<>]*/g)) {
    const before = rest.slice(0, m.index);
    if (before.lastIndexOf("<") > before.lastIndexOf(">")) found.push(m[0]);
  }
  return found;
}

describe.skipIf(!chromiumHere)("HTML report of gc-pause-longer-than-ttl · naive, in headless Chromium", () => {
  let dir: string;
  let browser: Browser;
  let page: Page;
  let html: string;
  const requests: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "locksim-report-"));
    const scenario = await loadScenario("scenarios/gc-pause-longer-than-ttl.json");
    const run = await runScenario(scenario, { worker: "naive" });
    html = renderHtmlReport({ title: scenario.name, subtitle: scenario.why, runs: [reportRunOf(run)] });
    const file = join(dir, "report.html");
    await writeFile(file, html);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("saves a screenshot", async () => {
    const png = join(dir, "report.png");
    await page.screenshot({ path: png, fullPage: true });
    expect(statSync(png).size).toBeGreaterThan(10_000);
  });

  it("draws one lane per worker", async () => {
    const lanes = await page.$$eval("svg.plot g.lane-worker", (gs) => gs.map((g) => g.getAttribute("data-lane")));
    expect(lanes).toEqual(["worker:w1", "worker:w2"]);
  });

  it("shades w1's pause where the scenario puts it (25 s to 70 s on the time axis)", async () => {
    const ticks = await page.$$eval("svg.plot g.axis g.tick line.grid", (ls) => ls.map((l) => ({ t: Number(l.parentElement!.getAttribute("data-t")), x: l.getBoundingClientRect().left })));
    expect(ticks.length).toBeGreaterThan(3);
    const pxPerMs = (ticks[ticks.length - 1]!.x - ticks[0]!.x) / (ticks[ticks.length - 1]!.t - ticks[0]!.t);
    const xAt = (ms: number): number => ticks[0]!.x + (ms - ticks[0]!.t) * pxPerMs;
    const pause = await page.$$eval('g[data-lane="worker:w1"] rect.fault.fault-pause', (rs) => rs.map((r) => ({ left: r.getBoundingClientRect().left, right: r.getBoundingClientRect().right, title: r.querySelector("title")?.textContent ?? "" })));
    expect(pause).toHaveLength(1);
    expect(Math.abs(pause[0]!.left - xAt(25_000))).toBeLessThan(1.5);
    expect(Math.abs(pause[0]!.right - xAt(70_000))).toBeLessThan(1.5);
    expect(pause[0]!.title).toContain("pause w1 for 45000ms");
    expect(await page.$$('g[data-lane="worker:w2"] rect.fault')).toHaveLength(0);
  });

  it("marks the two effects, each on its committer's lane, accepted and without a token", async () => {
    const effects = await page.$$eval("svg.plot g.effect", (gs) => gs.map((g) => ({ lane: g.closest("g.lane")?.getAttribute("data-lane"), cls: g.getAttribute("class"), token: g.getAttribute("data-token"), hover: g.querySelector("title")?.textContent })));
    expect(effects.map((e) => e.lane)).toEqual(["worker:w1", "worker:w2"]);
    for (const e of effects) {
      expect(e.cls).toMatch(/\beffect accepted\b/);
      expect(e.token).toBe("none");
      expect(e.hover).toMatch(/EFFECT at \d+\.\d s: t1 committed by w\d \(no token\), accepted/);
    }
  });

  it("shows the violation with its explanation, and the unsafe window across both lanes", async () => {
    const violations = await page.$$eval("li.violation", (ls) => ls.map((l) => l.textContent ?? ""));
    expect(violations.some((v) => v.includes("w1 paused 45 s > 2×TTL (20 s) + lock-delay (15 s)") && v.includes("overlap 13.8 s"))).toBe(true);
    expect(violations.some((v) => v.includes("atMostOnce") && v.includes("took effect twice"))).toBe(true);
    expect(await page.$$("svg.plot rect.unsafe-window")).toHaveLength(1);
  });

  it("zooms: the zoom-in button doubles the pause's width", async () => {
    const width = (): Promise<number> => page.$eval("rect.fault-pause", (r) => r.getBoundingClientRect().width);
    const before = await width();
    await page.click('[data-zoom="in"]');
    expect((await width()) / before).toBeCloseTo(2, 1);
    await page.click('[data-zoom="reset"]');
    expect(await width()).toBeCloseTo(before, 0);
  });

  it("asks nothing of the network and names no external URL outside text", async () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => !u.startsWith("file:") && !u.startsWith("data:"))).toEqual([]);
    expect(urlsOutsideText(html)).toEqual([]);
    const inDom = await page.$$eval("*", (els) => els.flatMap((e) => [...e.attributes].map((a) => a.value).filter((v) => /https?:\/\//.test(v))));
    expect(inDom).toEqual([]);
  });
});
