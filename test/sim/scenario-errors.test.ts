import { describe, expect, it } from "vitest";
import { parseScenario } from "../../sim/scenario/load-scenario.js";

/** The error parseScenario throws for `data`, as text. */
function errorOf(data: unknown): string {
  try {
    parseScenario(data, "s.json");
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected parseScenario to throw");
}

const base = { name: "x", why: "y", seed: 1, consul: { ttlMs: 10_000 }, workers: { count: 2 }, tasks: [{ id: "t1", durationMs: 15 }], faults: [], horizonMs: 60_000, expect: { naive: {} } };

// Each line names the file and the field, says what was expected and what was found, once each.
// Zod's own wording leaked before: "expected no such worker", "expected after the horizon" (the
// wrong way round), "expected number, received string; found …", and an unknown fault type
// "expected Invalid discriminator value. Expected 'crash' | …; found {the whole object}".
describe("scenario errors: the file, the field, what was expected, what was found", () => {
  it("types and whole numbers say what they want, once", () => {
    const text = errorOf({ ...base, consul: { ttlMs: "10s" }, tasks: [{ id: "t1", durationMs: 1.5 }] });
    expect(text).toContain(`s.json: field consul.ttlMs: expected number; found "10s"`);
    expect(text).toContain("s.json: field tasks[0].durationMs: expected a whole number; found 1.5");
  });

  it("an unknown fault type lists the types and shows the type found", () => {
    const text = errorOf({ ...base, faults: [{ type: "meteor", atMs: 25_000 }] });
    expect(text).toContain(`s.json: field faults[0].type: expected one of crash, pause, partition, drop-renewals, slow-network, leader-failover, clock-drift, rate-limit, leader-transfer; found "meteor"`);
  });

  it("the rules across fields read as expectations", () => {
    const text = errorOf({
      ...base,
      tasks: [{ id: "t1", durationMs: 15 }, { id: "t1", durationMs: 10 }],
      faults: [
        { type: "pause", atMs: 1000, worker: "w3", durationMs: 5 },
        { type: "pause", atMs: 99_000, worker: "w1", durationMs: 5 },
        { type: "slow-network", atMs: 1000, worker: "w1", durationMs: 5, latencyMsMin: 50, latencyMsMax: 10 },
      ],
      expect: {},
    });
    expect(text).toContain(`s.json: field faults[0].worker: expected one of the scenario's 2 worker(s), w1…w2; found "w3"`);
    expect(text).toContain("s.json: field faults[1].atMs: expected a time at or before horizonMs (60000); found 99000");
    expect(text).toContain("s.json: field faults[2].latencyMsMin: expected at most latencyMsMax (10); found 50");
    expect(text).toContain(`s.json: field tasks[1].id: expected a task id used by no other task; found "t1"`);
    expect(text).toContain("s.json: field expect: expected at least one worker kind with its expected verdicts; found {}");
  });
});
