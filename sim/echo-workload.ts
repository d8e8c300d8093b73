import type { HostFactory } from "./host.js";
import { World } from "./world.js";

/** Options of the reference workload used by the determinism tests and `npm run bench`. */
export interface EchoWorkloadOptions {
  seed: string | number;
  /** Number of hosts. Default 5. */
  hosts?: number;
  /** How long the hosts run, in virtual ms. Default one hour. */
  durationMs?: number;
  /** Each host sleeps a uniform draw in [sleepMsMin, sleepMsMax] between calls. Default 200–1800. */
  sleepMsMin?: number;
  sleepMsMax?: number;
  /** Record every executed event in the trace. Default true. */
  traceSteps?: boolean;
}

/**
 * The standard workload (issue 2): each host loops "sleep a random while, then call the echo
 * service over the simulated network", until its virtual time runs out. Hosts record what they
 * send and receive, so the trace shows the interleaving.
 */
export function echoHostFactory(options: { durationMs: number; sleepMsMin: number; sleepMsMax: number }): HostFactory {
  return (ctx) => ({
    async run(signal) {
      let n = 0;
      const endMs = ctx.clock.nowMs() + options.durationMs;
      while (!signal.aborted && ctx.clock.nowMs() < endMs) {
        const sleepMs = options.sleepMsMin + Math.floor(ctx.random.next() * (options.sleepMsMax - options.sleepMsMin + 1));
        await ctx.clock.sleepMs(sleepMs, signal);
        n++;
        try {
          const reply = await ctx.call<{ n: number; from: string }>("echo", { n, from: ctx.hostId }, { timeoutMs: 1_000, signal, op: "echo" });
          if (reply.n !== n) throw new Error(`echo answered ${reply.n}, expected ${n}`);
        } catch (error) {
          // A lost message is part of the workload's world, not a failure of the host.
          if (!(error instanceof Error) || error.name !== "NetworkTimeoutError") throw error;
        }
      }
      return n;
    },
  });
}

/** Builds a world with the echo service and `hosts` echo hosts, ready to `run`. */
export function buildEchoWorld(options: EchoWorkloadOptions): World {
  const durationMs = options.durationMs ?? 3_600_000;
  const world = new World({ seed: options.seed, horizonMs: durationMs + 60_000, traceSteps: options.traceSteps ?? true });
  world.network.register("echo", (request) => request);
  const factory = echoHostFactory({ durationMs, sleepMsMin: options.sleepMsMin ?? 200, sleepMsMax: options.sleepMsMax ?? 1_800 });
  for (let i = 1; i <= (options.hosts ?? 5); i++) world.addHost({ id: `h${i}`, factory });
  return world;
}
