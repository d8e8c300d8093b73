import { describe, expect, it } from "vitest";
import { ConsulHttpError, ConsulUnavailableError } from "../../src/errors.js";
import type { CallOptions, ConsulPort, KvEntry, KvGetOptions, KvGetResult, TxnOp, TxnResult } from "../../src/ports/consul-port.js";
import { effectKey, type ConsulEffectCommit } from "../../src/resources/consul-effects.js";
import { effectTxnOps } from "../../src/workers/txn-fenced-worker.js";
import { EffectSettlement } from "../../replay/effect-settlement.js";
import { TxnEffectPort } from "../../replay/txn-effect-port.js";

const prefix = "run/service";
const key = effectKey(prefix, "t1");

/** What the fake agent does with the next transaction. */
type Answer = "apply-then-500" | "drop-then-timeout" | "apply" | "refuse-409" | "refuse-400";

/** A fake agent holding KV in a map: applies a transaction's writes (or not), then answers as told. */
class FakeAgent implements Partial<ConsulPort> {
  readonly kv = new Map<string, string | null>();
  answers: Answer[] = [];
  reads = 0;

  txn(ops: readonly TxnOp[], _options?: CallOptions): Promise<TxnResult> {
    const answer = this.answers.shift() ?? "apply";
    if (answer === "refuse-409") return Promise.resolve({ ok: false, errors: [{ opIndex: 0, what: "failed session check" }] });
    if (answer === "refuse-400") return Promise.reject(new ConsulHttpError({ status: 400, body: "bad body", operation: "txn" }));
    if (answer === "drop-then-timeout") return Promise.reject(new ConsulUnavailableError({ operation: "txn", reason: "timed out" }));
    for (const op of ops) if (op.verb === "set") this.kv.set(op.key, op.value);
    if (answer === "apply-then-500") return Promise.reject(new ConsulHttpError({ status: 500, body: "rpc error making call: EOF", operation: "txn" }));
    return Promise.resolve({ ok: true, results: [] });
  }

  kvGet(k: string, options?: KvGetOptions): Promise<KvGetResult> {
    expect(options?.consistent).toBe(true);
    this.reads++;
    if (!this.kv.has(k)) return Promise.resolve({ entry: null, index: 1 });
    const entry: KvEntry = { key: k, value: this.kv.get(k) ?? null, flags: 0, lockIndex: 0, session: undefined, createIndex: 2, modifyIndex: 2 };
    return Promise.resolve({ entry, index: 2 });
  }
}

function setUp(): { agent: FakeAgent; commits: ConsulEffectCommit[]; settlement: EffectSettlement; port: (agent?: FakeAgent) => TxnEffectPort } {
  const agent = new FakeAgent();
  const commits: ConsulEffectCommit[] = [];
  const settlement = new EffectSettlement((c) => commits.push(c));
  const port = (a: FakeAgent = agent): TxnEffectPort => new TxnEffectPort(a as unknown as ConsulPort, { keyPrefix: prefix, settlement });
  return { agent, commits, settlement, port };
}

const ops = (workerId: string, token: number): TxnOp[] => effectTxnOps({ lock: { key: `${prefix}/t1/leader`, session: "s1", token }, effectKey: key, workerId });

describe("TxnEffectPort: a transaction without a verdict is settled from the effect key", () => {
  it("records a txn that answered 500 after it was applied as accepted, with the worker and token it wrote", async () => {
    const { agent, commits, settlement, port } = setUp();
    agent.answers = ["apply-then-500"];
    await expect(port().txn(ops("w1", 7))).rejects.toBeInstanceOf(ConsulHttpError);
    await settlement.settle();
    expect(commits).toEqual([{ taskId: "t1", workerId: "w1", token: 7, accepted: true, refusal: undefined }]);
    expect(settlement.unknownCount).toBe(0);
  });

  it("records nothing for a time-out whose txn never reached the agent, and keeps it unknown", async () => {
    const { agent, commits, settlement, port } = setUp();
    agent.answers = ["drop-then-timeout"];
    await expect(port().txn(ops("w1", 7))).rejects.toBeInstanceOf(ConsulUnavailableError);
    await settlement.settle();
    expect(commits).toEqual([]);
    expect(settlement.unknownCount).toBe(1);
    expect(agent.reads).toBe(2);
  });

  it("counts an applied txn once when its retry was applied with a verdict (500 first, then 200)", async () => {
    const { agent, commits, settlement, port } = setUp();
    agent.answers = ["drop-then-timeout", "apply"];
    const p = port();
    await expect(p.txn(ops("w1", 7))).rejects.toBeInstanceOf(ConsulUnavailableError);
    await p.txn(ops("w1", 7));
    await settlement.settle();
    expect(commits.filter((c) => c.accepted)).toHaveLength(1);
  });

  it("does not credit another writer's effect to the txn without a verdict", async () => {
    const { agent, commits, settlement, port } = setUp();
    agent.answers = ["drop-then-timeout", "apply"];
    await expect(port().txn(ops("w1", 7))).rejects.toBeInstanceOf(ConsulUnavailableError);
    await port().txn(ops("w2", 8));
    await settlement.settle();
    expect(commits).toEqual([{ taskId: "t1", workerId: "w2", token: 8, accepted: true, refusal: undefined }]);
  });

  it("records a 409 and a 400 as refused without reading the key", async () => {
    const { agent, commits, settlement, port } = setUp();
    agent.answers = ["refuse-409", "refuse-400"];
    await port().txn(ops("w1", 7));
    await expect(port().txn(ops("w1", 7))).rejects.toBeInstanceOf(ConsulHttpError);
    await settlement.settle();
    expect(commits.map((c) => [c.accepted, c.refusal])).toEqual([
      [false, "failed session check"],
      [false, "400 bad body"],
    ]);
    expect(agent.reads).toBe(0);
  });
});
