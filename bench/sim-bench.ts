import { loadavg } from "node:os";
import { buildEchoWorld } from "../sim/echo-workload.js";

/** Result of the simulator benchmark (issue 2): the standard echo workload, 5 hosts, 1 virtual hour. */
export interface SimBenchResult {
  eventsPerSec: number;
  /** Events per second of this process's CPU time (user + system), median: less sensitive than wall time to other jobs on the machine. */
  eventsPerCpuSec: number;
  /** The machine's 1-minute load average when the benchmark started and ended. */
  loadAverage1m: [number, number];
  accelerationX: number;
  eventsPerRun: number;
  virtualMsPerRun: number;
  wallMsMedian: number;
  wallMsAll: number[];
  /** Wall ms of the warm-up runs (left out of the median): JIT compilation of the step loop. */
  warmUpWallMs: number[];
  runs: number;
  workload: string;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Runs the standard workload `runs` times after `warmUpRuns` warm-up runs and reports the median.
 * Wall time covers `world.run()` only: building the world and hashing the trace are left out, so
 * the numbers are the step loop's speed (trace recording included). Three warm-up runs, because
 * V8 is still compiling the loop during the second and third (callgrind: the second run costs
 * about 13,000 instructions per event, later ones about 7,500); a sweep runs for minutes, so its
 * speed is the steady one.
 */
export async function benchSim(options: { runs?: number; warmUpRuns?: number } = {}): Promise<SimBenchResult> {
  const runs = options.runs ?? 15;
  const warmUpRuns = options.warmUpRuns ?? 3;
  const warmUps: number[] = [];
  const walls: number[] = [];
  const cpus: number[] = [];
  const loadStart = loadavg()[0]!;
  let steps = 0;
  let virtualMs = 0;
  for (let i = 0; i < warmUpRuns + runs; i++) {
    const world = buildEchoWorld({ seed: `bench-${i}` });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const result = await world.run();
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - t0;
    if (i < warmUpRuns) {
      warmUps.push(wallMs);
      continue;
    }
    walls.push(wallMs);
    cpus.push((cpu.user + cpu.system) / 1000);
    steps += result.steps;
    virtualMs += result.nowMs;
  }
  const wallMsMedian = median(walls);
  const eventsPerRun = Math.round(steps / runs);
  const virtualMsPerRun = Math.round(virtualMs / runs);
  return {
    eventsPerSec: Math.round((eventsPerRun / wallMsMedian) * 1000),
    eventsPerCpuSec: Math.round((eventsPerRun / median(cpus)) * 1000),
    loadAverage1m: [round1(loadStart), round1(loadavg()[0]!)],
    accelerationX: Math.round(virtualMsPerRun / wallMsMedian),
    eventsPerRun,
    virtualMsPerRun,
    wallMsMedian: Math.round(wallMsMedian * 10) / 10,
    wallMsAll: walls.map((w) => Math.round(w * 10) / 10),
    warmUpWallMs: warmUps.map((w) => Math.round(w * 10) / 10),
    runs,
    workload: "5 hosts; each sleeps U[200,1800]ms then calls echo over the simulated network (1-5ms each way); 1 virtual hour; step tracing on",
  };
}
