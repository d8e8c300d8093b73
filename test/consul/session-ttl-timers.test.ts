import { describe, expect, it } from "vitest";
import { SessionTtlTimers } from "../../sim/consul/session-ttl-timers.js";
import { World } from "../../sim/world.js";

/** A world, timers over it, and the virtual times at which each session expired. */
function setup(): { world: World; timers: SessionTtlTimers; expired: [string, number][]; runToMs: (ms: number) => Promise<void> } {
  const world = new World({ seed: "ttl-timers", traceSteps: false });
  const expired: [string, number][] = [];
  const timers = new SessionTtlTimers({ world, expire: (id) => expired.push([id, world.nowMs]) });
  return { world, timers, expired, runToMs: async (ms) => void (await world.run({ untilMs: ms })) };
}

describe("session TTL timers", () => {
  it("fire 2×TTL after the last reset; a session without TTL gets none", async () => {
    const { timers, expired, runToMs } = setup();
    timers.reset({ id: "a", ttlMs: 10_000 });
    timers.reset({ id: "b", ttlMs: 10_000 });
    timers.reset({ id: "none", ttlMs: 0 });
    expect(timers.deadlinesMs()).toEqual([20_000, 20_000]);
    await runToMs(15_000);
    timers.reset({ id: "b", ttlMs: 10_000 });
    await runToMs(60_000);
    expect(expired).toEqual([
      ["a", 20_000],
      ["b", 35_000],
    ]);
    expect(timers.deadlinesMs()).toEqual([]);
  });

  it("forget a cancelled session's timer", async () => {
    const { timers, expired, runToMs } = setup();
    timers.reset({ id: "a", ttlMs: 10_000 });
    timers.cancel("a");
    timers.cancel("never-armed");
    await runToMs(60_000);
    expect(expired).toEqual([]);
  });

  it("are all cleared when the leader is lost, and re-armed with a fresh 2×TTL when a new one takes over (§2)", async () => {
    // Measured on 3 real servers: TTL 30s, leader killed 20s after create, new leader 19.5s later,
    // expiry exactly 60s after the new leader (consul-semantics.md §2, case 21).
    const { timers, expired, runToMs } = setup();
    const sessions = [
      { id: "ttl", ttlMs: 30_000 },
      { id: "no-ttl", ttlMs: 0 },
    ];
    timers.reset(sessions[0]!);
    await runToMs(20_000);
    timers.clearAll();
    expect(timers.deadlinesMs()).toEqual([]);
    await runToMs(39_500);
    expect(expired).toEqual([]);
    timers.rearmAll(sessions);
    expect(timers.deadlinesMs()).toEqual([99_500]);
    await runToMs(200_000);
    expect(expired).toEqual([["ttl", 99_500]]);
  });

  it("re-arm from scratch on every failover, so repeated failovers keep a session alive", async () => {
    const { timers, expired, runToMs } = setup();
    const session = { id: "s", ttlMs: 10_000 };
    timers.reset(session);
    for (const atMs of [15_000, 30_000, 45_000]) {
      await runToMs(atMs);
      timers.clearAll();
      timers.rearmAll([session]);
    }
    await runToMs(100_000);
    expect(expired).toEqual([["s", 65_000]]);
  });
});
