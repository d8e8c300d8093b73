import { afterAll, describe, expect, it } from "vitest";
import type { Clock } from "../../src/ports/clock.js";
import type { ConsulPort } from "../../src/ports/consul-port.js";
import { ConsulHttpError, ConsulUnavailableError } from "../../src/errors.js";
import { ConsulClientPort } from "../../src/real/consul-client-port.js";
import { systemClock } from "../../src/real/system-clock.js";
import { freePort } from "../../replay/consul-provider.js";
import { World } from "../../sim/world.js";
import { ConsulModel } from "../../sim/consul/consul-model.js";
import { SimConsulPort } from "../../sim/sim-consul-port.js";
import { realConsulForTests } from "../real-consul.js";

/**
 * One script of port calls; it returns what it saw with ids and indexes replaced by relations, so
 * the simulated port (model over the simulated network) and the real adapter (consul npm client
 * against an agent) can be compared line by line.
 */
async function script(consul: ConsulPort, clock: Clock, prefix: string): Promise<unknown[]> {
  const log: unknown[] = [];
  const k = `${prefix}script/leader`;
  const a = await consul.sessionCreate({ name: "locksim-port-test", ttlMs: 10_000, behavior: "delete", lockDelayMs: 0 });
  const b = await consul.sessionCreate({ name: "locksim-port-test", nodeChecks: [] });
  const info = await consul.sessionInfo(a);
  log.push({ info: { ...info, id: info?.id === a, node: typeof info?.node, createIndex: info!.createIndex > 0, modifyIndex: info!.modifyIndex === info!.createIndex } });
  log.push({ infoB: (await consul.sessionInfo(b))?.nodeChecks });
  log.push({ acquire: await consul.kvPut(k, "job-1", { acquire: a, flags: 3 }) });
  log.push({ contended: await consul.kvPut(k, "x", { acquire: b }) });
  const got = await consul.kvGet(k, { consistent: true });
  log.push({ entry: { ...got.entry, key: got.entry?.key.slice(prefix.length), session: got.entry?.session === a, createIndex: undefined, modifyIndex: undefined }, indexIsModify: got.index === got.entry?.modifyIndex });
  const t0 = clock.nowMs();
  const blocked = await consul.kvGet(k, { index: got.index, waitMs: 1_000 });
  const waitedMs = clock.nowMs() - t0;
  log.push({ blockedSame: blocked.index === got.index, waitedAbout1s: waitedMs >= 1_000 && waitedMs < 1_500 });
  const renewed = await consul.sessionRenew(a);
  log.push({ renewedTtl: renewed?.ttl, renewedId: renewed?.id === a });
  log.push({ release: await consul.kvPut(k, "done", { release: a }) });
  const released = await consul.kvGet(k);
  log.push({ released: { value: released.entry?.value, session: released.entry?.session, lockIndex: released.entry?.lockIndex, flags: released.entry?.flags } });
  log.push({ casStale: await consul.kvPut(k, "c", { cas: released.index - 1 }) });
  log.push({ casFresh: await consul.kvPut(k, "c", { cas: released.index }) });
  const bad = await consul.kvPut(k, "x", { acquire: "foo" }).catch((e: unknown) => e);
  log.push({ badSession: bad instanceof ConsulHttpError ? [bad.status, bad.body.trim()] : String(bad) });
  log.push({ destroy: await consul.sessionDestroy(a) });
  log.push({ renewGone: await consul.sessionRenew(a) });
  log.push({ infoGone: await consul.sessionInfo(a) });
  log.push({ delete: await consul.kvDelete(k) });
  log.push({ missing: (await consul.kvGet(k)).entry });
  await consul.sessionDestroy(b);
  return log;
}

async function simulated(): Promise<unknown[]> {
  const world = new World({ seed: "port-script" });
  new ConsulModel(world);
  let log: unknown[] = [];
  world.addHost({
    id: "w1",
    factory: (ctx) => ({
      run: async () => {
        log = await script(new SimConsulPort(ctx), ctx.clock, "");
      },
    }),
  });
  await world.run();
  expect(world.hostFailures).toEqual([]);
  return log;
}

describe("SimConsulPort", () => {
  it("turns a lost Consul into ConsulUnavailableError after the client time-out", async () => {
    const world = new World({ seed: 1 });
    new ConsulModel(world);
    let caught: unknown;
    world.addHost({
      id: "w1",
      factory: (ctx) => ({
        run: async () => {
          caught = await new SimConsulPort(ctx).sessionCreate({ timeoutMs: 2_000 }).catch((e: unknown) => e);
        },
      }),
    });
    world.network.partition("w1");
    await world.run();
    expect(caught).toBeInstanceOf(ConsulUnavailableError);
    expect(world.nowMs).toBe(2_000);
  });
});

const agent = await realConsulForTests();

describe.skipIf(!agent)("ConsulClientPort (real agent) and SimConsulPort agree", () => {
  afterAll(async () => {
    await agent?.stop();
  });

  it("the same script of calls gives the same results", async () => {
    const port = new ConsulClientPort({ addr: agent!.addr });
    try {
      const real = await script(port, systemClock, `locksim-test/${crypto.randomUUID()}/`);
      const sim = await simulated();
      expect(real).toEqual(sim);
      expect(real).toContainEqual({ badSession: [500, "failed session lookup: index error: UUID must be 36 characters"] });
      expect(real).toContainEqual({ renewGone: null });
    } finally {
      port.close();
    }
  });

  it("reports an unreachable agent as ConsulUnavailableError", async () => {
    const port = new ConsulClientPort({ addr: `http://127.0.0.1:${await freePort()}` });
    await expect(port.sessionCreate()).rejects.toBeInstanceOf(ConsulUnavailableError);
    port.close();
  });
});
