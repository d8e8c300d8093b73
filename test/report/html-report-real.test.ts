import { afterAll, describe, expect, it } from "vitest";
import { replaySideBySide } from "../../replay/replay-real.js";
import { renderHtmlReport, reportRunOf } from "../../sim/report/html-report.js";
import { parseScenario } from "../../sim/scenario/load-scenario.js";
import { realConsulForTests } from "../real-consul.js";

const agent = await realConsulForTests();

/** A short story (a few seconds of real time): two workers, one 3 s task, no fault. */
const scenario = parseScenario(
  {
    name: "short-real-report",
    why: "Both stories of one short run on one time axis.",
    seed: 7,
    consul: { ttlMs: 10_000 },
    workers: { count: 2, startStaggerMs: 500 },
    tasks: [{ id: "t1", durationMs: 3_000 }],
    horizonMs: 60_000,
    expect: { naive: {} },
  },
  "short-real-report (test)",
);

describe.skipIf(!agent)("replay --real report: the simulator's run above the real one, on one axis", () => {
  afterAll(async () => {
    await agent?.stop();
  });

  it("draws both runs' lanes in one plot with one scale", { timeout: 120_000 }, async () => {
    const [s] = await replaySideBySide(scenario, ["naive"], agent!.addr);
    const html = renderHtmlReport({
      title: scenario.name,
      runs: [reportRunOf(s!.sim), { label: "naive · real Consul", records: s!.real.records, results: s!.real.results, consul: scenario.consul, workers: ["w1", "w2"] }],
    });
    // One plot SVG, two run groups, a lane per worker in each.
    expect(html.match(/<svg class="plot"/g)).toHaveLength(1);
    expect(html.match(/<g class="run" data-run="\d"/g)).toEqual(['<g class="run" data-run="0"', '<g class="run" data-run="1"']);
    for (const run of [0, 1]) for (const w of ["w1", "w2"]) expect(html).toContain(`data-lane="worker:${w}" data-run="${run}"`);
    expect(html).toContain("naive · simulator");
    expect(html).toContain("naive · real Consul");
    // The real run's task execution is drawn on the same scale as the simulator's: 3 s long in both.
    const widths = [...html.matchAll(/<rect class="execution [^"]*" data-t0="(\d+)" data-t1="(\d+)" data-minw="\d+" x="[\d.]+" y="[\d.]+" width="([\d.]+)"/g)].map((m) => ({ ms: Number(m[2]) - Number(m[1]), px: Number(m[3]) }));
    expect(widths.length).toBeGreaterThanOrEqual(2);
    const pxPerMs = widths.map((w) => w.px / w.ms);
    for (const k of pxPerMs) expect(k).toBeCloseTo(pxPerMs[0]!, 4);
    // The real key lane shows holders as the workers believed them (Consul's inside is not observable).
    expect(html).toContain("as the workers saw it");
  });
});
