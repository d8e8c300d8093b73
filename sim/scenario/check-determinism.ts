import { LocksimError } from "../../src/errors.js";
import { Trace } from "../trace.js";
import { runScenario, type RunScenarioOptions, type ScenarioRun } from "./run-scenario.js";
import type { Scenario } from "./scenario-schema.js";

/** The same seed gave two different traces: the worker reads something the world does not control. */
export class NondeterminismError extends LocksimError {
  constructor(options: { worker: string; seed: string | number; index: number; first: string; second: string }) {
    super(
      `nondeterminism in worker ${options.worker}: two runs of seed ${String(options.seed)} diverge at trace record ${options.index}:\n` +
        `  run 1: ${options.first}\n  run 2: ${options.second}\n` +
        "The worker depends on something outside the injected ports (a clock, randomness, timers or I/O saved before locksim loaded, or module state kept between runs).",
      options,
    );
  }
}

/**
 * Runs a scenario twice with the same seed and compares the traces byte for byte (design.md §2:
 * same seed → byte-identical trace). Resolves with the first run when they agree; rejects with a
 * NondeterminismError naming the first record where they diverge.
 */
export async function checkDeterminism(scenario: Scenario, options: RunScenarioOptions): Promise<ScenarioRun> {
  const first = await runScenario(scenario, { ...options, traceSteps: true });
  const second = await runScenario(scenario, { ...options, traceSteps: true });
  if (first.traceHash === second.traceHash) return first;
  const a = first.fleet.world.trace.records;
  const b = second.fleet.world.trace.records;
  let i = 0;
  while (i < a.length && i < b.length && Trace.line(a[i]!) === Trace.line(b[i]!)) i++;
  const line = (r: (typeof a)[number] | undefined): string => (r ? Trace.line(r) : "(the trace ends here)");
  throw new NondeterminismError({ worker: first.worker, seed: first.seed, index: i, first: line(a[i]), second: line(b[i]) });
}
