import { afterAll, describe, expect, it } from "vitest";
import type { CallOptions, ConsulPort, TxnOp, TxnResult } from "../../src/ports/consul-port.js";
import { ForwardingConsulPort } from "../../src/forwarding-consul-port.js";
import { ConsulHttpError, InputError } from "../../src/errors.js";
import { ConsulClientPort } from "../../src/real/consul-client-port.js";
import { World } from "../../sim/world.js";
import { ConsulModel } from "../../sim/consul/consul-model.js";
import { SimConsulPort } from "../../sim/sim-consul-port.js";
import { realConsulForTests } from "../real-consul.js";

/** Indexes become relations and the prefix goes, so both adapters' answers compare line by line. */
function shape(result: TxnResult, prefix: string, seen: number[]): unknown {
  if (!result.ok) return { errors: result.errors.map((e) => ({ ...e, what: e.what.replaceAll(prefix, "") })) };
  return {
    results: result.results.map((e) => {
      for (const i of [e.createIndex, e.modifyIndex]) if (!seen.includes(i)) seen.push(i);
      return { ...e, key: e.key.slice(prefix.length), session: e.session === undefined ? undefined : "S", createIndex: seen.indexOf(e.createIndex), modifyIndex: seen.indexOf(e.modifyIndex) };
    }),
  };
}

/**
 * One script of transactions through the port: typed ops in, typed results out. Its sessions and
 * keys are removed in any case (on a real agent nothing is left when an assertion or a call fails).
 */
async function script(consul: ConsulPort, prefix: string): Promise<unknown[]> {
  const sessions: string[] = [];
  let failed = true;
  try {
    const log = await scriptSteps(consul, prefix, sessions);
    failed = false;
    return log;
  } finally {
    // After a failure, a failing cleanup must not hide the first error.
    const quietly = <T>(p: Promise<T>): Promise<T | undefined> => (failed ? p.catch(() => undefined) : p);
    for (const id of sessions) await quietly(consul.sessionDestroy(id));
    await quietly(consul.txn([{ verb: "delete-tree", key: prefix }]));
  }
}

/** The script's steps; every session it creates goes into `sessions` at once. */
async function scriptSteps(consul: ConsulPort, prefix: string, sessions: string[]): Promise<unknown[]> {
  const log: unknown[] = [];
  const seen: number[] = [];
  const [lock, effect] = [`${prefix}t1/leader`, `${prefix}t1/effect`];
  const s = await consul.sessionCreate({ ttlMs: 10_000, lockDelayMs: 0 });
  sessions.push(s);
  const other = await consul.sessionCreate({ lockDelayMs: 0 });
  sessions.push(other);
  log.push(await consul.kvPut(lock, "w1", { acquire: s }));
  const guarded = (session: string, value: string) =>
    consul.txn([{ verb: "check-session", key: lock, session }, { verb: "check-not-exists", key: effect }, { verb: "set", key: effect, value, flags: 9 }]);
  log.push(shape(await guarded(s, "héllo"), prefix, seen));
  log.push(shape(await consul.txn([{ verb: "get", key: effect }, { verb: "get-tree", key: `${prefix}t1/` }]), prefix, seen));
  const refused = await guarded(other, "late");
  // Session ids differ between the worlds: named by role.
  log.push(JSON.stringify(shape(refused, prefix, seen)).replaceAll(other, "OTHER").replaceAll(s, "S"));
  const m = (await consul.kvGet(effect)).entry!.modifyIndex;
  log.push(shape(await consul.txn([{ verb: "check-index", key: effect, index: m }, { verb: "cas", key: effect, index: m, value: null }, { verb: "unlock", key: lock, value: "done", session: s }]), prefix, seen));
  log.push(shape(await consul.txn([{ verb: "lock", key: lock, value: null, session: other }, { verb: "delete-cas", key: effect, index: m - 1 }]), prefix, seen));
  log.push(shape(await consul.txn([{ verb: "delete", key: effect }, { verb: "delete-tree", key: `${prefix}t1/` }]), prefix, seen));
  const tooMany = await consul.txn(Array.from({ length: 65 }, (_, i) => ({ verb: "get" as const, key: `${prefix}${i}` }))).catch((e: unknown) => e);
  log.push(tooMany instanceof ConsulHttpError ? [tooMany.status, tooMany.body.trim()] : String(tooMany));
  log.push(await consul.txn([]).then(String, (e: unknown) => (e instanceof InputError ? "InputError" : String(e))));
  return log;
}

async function simulated(): Promise<unknown[]> {
  const world = new World({ seed: "txn-port" });
  new ConsulModel(world);
  let log: unknown[] = [];
  world.addHost({ id: "w1", factory: (ctx) => ({ run: async () => void (log = await script(new SimConsulPort(ctx), "p/")) }) });
  await world.run();
  expect(world.hostFailures).toEqual([]);
  return log;
}

describe("ConsulPort.txn on the simulated port", () => {
  it("applies, refuses and reads as the script expects", async () => {
    const log = await simulated();
    expect(log[1]).toMatchObject({ results: [{ key: "t1/leader", session: "S" }, { key: "t1/effect", value: null, flags: 9 }] });
    expect(log[2]).toMatchObject({ results: [{ key: "t1/effect", value: "héllo" }, { key: "t1/effect", value: "héllo" }, { key: "t1/leader", value: "w1" }] });
    expect(log[3]).toMatch(/failed session check for key \\"t1\/leader\\", current session \\"S\\" != \\"OTHER\\".*key \\"t1\/effect\\" exists/);
    expect(log.at(-2)).toEqual([413, "Transaction contains too many operations (65 > 64)"]);
    expect(log.at(-1)).toBe("InputError");
  });

  it("leaves no session and no key behind when a step fails midway", async () => {
    const world = new World({ seed: "txn-port-failing" });
    const model = new ConsulModel(world);
    let failure: unknown;
    /** The port, except that its fourth transaction fails as a lost agent would. */
    class FailingFourthTxn extends ForwardingConsulPort {
      private txns = 0;
      override txn(ops: readonly TxnOp[], options?: CallOptions): Promise<TxnResult> {
        return ++this.txns === 4 ? Promise.reject(new Error("agent gone")) : this.inner.txn(ops, options);
      }
    }
    world.addHost({ id: "w1", factory: (ctx) => ({ run: async () => void (failure = await script(new FailingFourthTxn(new SimConsulPort(ctx)), "p/").catch((e: unknown) => e)) }) });
    await world.run();
    expect(failure, "the script's own error reaches the caller").toEqual(new Error("agent gone"));
    expect(model.state.sessions.size).toBe(0);
    expect([...model.state.kv.keys()]).toEqual([]);
  });
});

const agent = await realConsulForTests();

describe.skipIf(!agent)("ConsulPort.txn: the real adapter (consul npm client) and the simulated port agree", () => {
  afterAll(async () => {
    await agent?.stop();
  });

  it("the same script of transactions gives the same results", async () => {
    const port = new ConsulClientPort({ addr: agent!.addr });
    try {
      const real = await script(port, `locksim-test/${crypto.randomUUID()}/`);
      expect(real).toEqual(await simulated());
    } finally {
      port.close();
    }
  });
});
