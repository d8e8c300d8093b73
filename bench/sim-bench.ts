import { buildEchoWorld } from "../sim/echo-workload.js";

/** Result of the simulator benchmark (issue 2): the standard echo workload, 5 hosts, 1 virtual hour. */
export interface SimBenchResult {
  eventsPerSec: number;
  accelerationX: number;
  eventsPerRun: number;
  virtualMsPerRun: number;
  wallMsMedian: number;
  wallMsAll: number[];
  runs: number;
  workload: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Runs the standard workload `runs` times after one warm-up run and reports the median. Wall time
 * covers `world.run()` only: building the world and hashing the trace are left out, so the numbers
 * are the step loop's speed (trace recording included).
 */
export async function benchSim(options: { runs?: number } = {}): Promise<SimBenchResult> {
  const runs = options.runs ?? 5;
  const walls: number[] = [];
  let steps = 0;
  let virtualMs = 0;
  for (let i = 0; i <= runs; i++) {
    const world = buildEchoWorld({ seed: `bench-${i}` });
    const t0 = performance.now();
    const result = await world.run();
    const wallMs = performance.now() - t0;
    if (i === 0) continue; // warm-up: JIT compilation
    walls.push(wallMs);
    steps += result.steps;
    virtualMs += result.nowMs;
  }
  const wallMsMedian = median(walls);
  const eventsPerRun = Math.round(steps / runs);
  const virtualMsPerRun = Math.round(virtualMs / runs);
  return {
    eventsPerSec: Math.round((eventsPerRun / wallMsMedian) * 1000),
    accelerationX: Math.round(virtualMsPerRun / wallMsMedian),
    eventsPerRun,
    virtualMsPerRun,
    wallMsMedian: Math.round(wallMsMedian * 10) / 10,
    wallMsAll: walls.map((w) => Math.round(w * 10) / 10),
    runs,
    workload: "5 hosts; each sleeps U[200,1800]ms then calls echo over the simulated network (1-5ms each way); 1 virtual hour; step tracing on",
  };
}
