import { describe, expect, it } from "vitest";
import { writeOp } from "../../sim/consul/write-rate-limit.js";
import type { ConsulPort, TxnOp } from "../../src/ports/consul-port.js";
import { ConsulHttpError } from "../../src/errors.js";
import { RealWriteLimiter } from "../../replay/real-write-limiter.js";
import { RealTrace } from "../../replay/real-trace.js";
import { ModelTarget } from "../consul/consul-target.js";
import { createSession, expectReply, put } from "../consul/conformance-cases.js";

const txnBody = (...verbs: string[]): string => JSON.stringify(verbs.map((Verb) => ({ KV: { Verb, Key: "a/b", Index: 0, Session: "", Value: null } })));

describe("which requests the rate limiter counts as writes (only those that reach a write RPC)", () => {
  it("a txn is a write only with a write verb (Txn.Read otherwise), and only if the agent decodes it", () => {
    for (const verb of ["set", "cas", "lock", "unlock", "delete", "delete-cas", "delete-tree"]) {
      expect(writeOp({ method: "PUT", path: "/v1/txn", body: txnBody("get", verb) }), verb).toBe("txn");
    }
    expect(writeOp({ method: "PUT", path: "/v1/txn", body: txnBody("get", "get-tree", "check-index", "check-session", "check-not-exists") })).toBeUndefined();
    expect(writeOp({ method: "PUT", path: "/v1/txn", body: "[{" }), "a 400 before any RPC").toBeUndefined();
    expect(writeOp({ method: "PUT", path: "/v1/txn", body: txnBody(...Array.from({ length: 65 }, () => "set")) }), "a 413 before any RPC").toBeUndefined();
  });

  it("a wrong method or an empty id/key is answered by the agent, not counted", () => {
    expect(writeOp({ method: "DELETE", path: "/v1/session/create" })).toBeUndefined();
    expect(writeOp({ method: "GET", path: "/v1/session/renew/x" })).toBeUndefined();
    expect(writeOp({ method: "DELETE", path: "/v1/txn" })).toBeUndefined();
    expect(writeOp({ method: "PUT", path: "/v1/session/renew/" })).toBeUndefined();
    expect(writeOp({ method: "PUT", path: "/v1/session/create/x" })).toBeUndefined();
    expect(writeOp({ method: "PUT", path: "/v1/kv/" })).toBeUndefined();
    expect(writeOp({ method: "DELETE", path: "/v1/kv/", query: { recurse: "" } })).toBe("kv.delete");
  });

  it("the model answers a read-only txn and a wrong method as without the limiter (200, 405), and still refuses a write txn", async () => {
    const t = new ModelTarget("rate-limit-classes");
    const s = await createSession(t);
    const k = t.key("k");
    t.model.rateLimit({ fraction: 1, status: 429 });
    const read = JSON.stringify([{ KV: { Verb: "check-not-exists", Key: k } }]);
    expect((await t.request({ method: "PUT", path: "/v1/txn", body: read })).status).toBe(200);
    expect((await t.request({ method: "DELETE", path: "/v1/session/create" })).status).toBe(405);
    const write = JSON.stringify([{ KV: { Verb: "lock", Key: k, Session: s, Value: null } }]);
    expect((await t.request({ method: "PUT", path: "/v1/txn", body: write })).status).toBe(429);
    expectReply(await put(t, `/v1/kv/${k}`), 429, "rate limit exceeded, try again later or against a different server");
    expect(t.world.trace.ofKind("consul.rate-limited").map((r) => r.data.op)).toEqual(["txn", "kv.put"]);
  });
});

describe("RealWriteLimiter: which ConsulPort calls it refuses", () => {
  const inner = {
    txn: (_ops: readonly TxnOp[]) => Promise.resolve({ ok: true as const, results: [] }),
    kvPut: () => Promise.resolve(true),
  } as unknown as ConsulPort;

  it("refuses a write txn and a kvPut, passes a read-only txn and Object.prototype names", async () => {
    const limiter = new RealWriteLimiter({ seed: 1, log: new RealTrace() });
    limiter.start({ fraction: 1, status: 429 });
    const port = limiter.port(inner);
    await expect(port.txn([{ verb: "get", key: "a" }, { verb: "check-not-exists", key: "b" }])).resolves.toMatchObject({ ok: true });
    await expect(port.txn([{ verb: "check-not-exists", key: "b" }, { verb: "set", key: "b", value: "v" }])).rejects.toBeInstanceOf(ConsulHttpError);
    await expect(port.kvPut("a", "v")).rejects.toBeInstanceOf(ConsulHttpError);
    expect(String(port), "toString is not a write").toBe("[object Object]");
    expect(port.valueOf(), "valueOf is not a write either").toBe(port);
  });
});
