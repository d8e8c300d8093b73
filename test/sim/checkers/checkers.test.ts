import { describe, expect, it } from "vitest";
import { checkers } from "../../../sim/checkers/all-checkers.js";
import { Trace } from "../../../sim/trace.js";
import type { CheckName } from "../../../sim/scenario/scenario-schema.js";

const tasks = [{ id: "t1", durationMs: 1_000 }];

/** A trace of a run that had hosts, a network and faults, but nothing any checker judges. */
function irrelevant(): Trace {
  const t = new Trace();
  t.record(0, "w1", "host.start", { incarnation: 0 });
  t.record(1, "w1", "net.send", { call: 1, op: "kv.get" });
  t.record(5, "w1", "net.recv", { call: 1, op: "kv.get" });
  t.record(9, "w1", "fault.applied", { type: "pause", target: "w1", fault: "pause w1 for 10ms" });
  t.record(9, "w1", "host.pause");
  t.record(19, "w1", "host.resume", { held: 0 });
  t.record(20, "w1", "mark", { name: "custom" });
  t.record(21, "w1", "host.exit", { incarnation: 0 });
  return t;
}

describe("a checker that saw nothing to judge answers not-applicable, never holds", () => {
  const cases: [CheckName, string][] = [
    ["atMostOnce", "no commit attempts were recorded"],
    ["exclusiveExecution", "no task starts were recorded"],
    ["fencing", "no fencing tokens were presented"],
    ["modelInvariants", "no Consul model records"],
  ];
  for (const [name, why] of cases) {
    it(name, () => {
      const r = checkers[name]({ records: irrelevant().records, tasks });
      expect(r.verdict).toBe("not-applicable");
      expect(r.detail).toContain(`not applicable: ${why}`);
    });
  }
  it("liveness, with no tasks", () => {
    expect(checkers.liveness({ records: irrelevant().records, tasks: [] }).verdict).toBe("not-applicable");
  });
  it("liveness with tasks but no commit is violated, not n/a", () => {
    expect(checkers.liveness({ records: irrelevant().records, tasks }).verdict).toBe("violated");
  });
});

/** Two tenures of t1 (w1 then w2), each presenting a token at claim and commit. */
function twoTenures(tokens: [number | undefined, number | undefined], opts: { logAcquired: boolean; accepted?: [boolean, boolean] }): Trace {
  const t = new Trace();
  const [a, b] = opts.accepted ?? [true, true];
  ["w1", "w2"].forEach((w, i) => {
    const token = tokens[i];
    const at = i * 100;
    if (opts.logAcquired) t.record(at, w, "lock.acquired", token === undefined ? { task: "t1", session: `s${i}` } : { task: "t1", session: `s${i}`, token });
    if (token !== undefined) t.record(at + 1, "store", "store.claim", { task: "t1", worker: w, token, proceed: true });
    t.record(at + 2, w, "task.start", token === undefined ? { task: "t1" } : { task: "t1", token });
    t.record(at + 50, w, "task.end", { task: "t1" });
    t.record(at + 51, "store", "store.commit", { task: "t1", worker: w, token: token ?? null, accepted: i === 0 ? a : b });
  });
  return t;
}

describe("fencing: the token oracle judges tenures, independently of the resource", () => {
  it("holds when each new tenure presents a larger token", () => {
    const r = checkers.fencing({ records: twoTenures([10, 12], { logAcquired: true }).records, tasks });
    expect(r.verdict).toBe("holds");
  });
  it("is violated by a repeated token across two tenures, naming both", () => {
    for (const logAcquired of [true, false]) {
      const r = checkers.fencing({ records: twoTenures([1, 1], { logAcquired }).records, tasks });
      expect(r.verdict).toBe("violated");
      expect(r.detail).toMatch(/tenure of w2 \(from 10[01]ms\) presented token 1, which repeats token 1 of the earlier tenure of w1 \(from [01]ms\)/);
    }
  });
  it("is violated by a lower token even when the resource refused it", () => {
    const r = checkers.fencing({ records: twoTenures([7, 3], { logAcquired: true, accepted: [true, false] }).records, tasks });
    expect(r.verdict).toBe("violated");
    expect(r.detail).toContain("which is lower than token 7");
  });
  it("is violated when the resource accepts a lower token than one it accepted", () => {
    const t = new Trace();
    t.record(0, "store", "store.commit", { task: "t1", worker: "w1", token: 9, accepted: true });
    t.record(5, "store", "store.commit", { task: "t1", worker: "w1", token: 4, accepted: true });
    const r = checkers.fencing({ records: t.records, tasks });
    expect(r.verdict).toBe("violated");
  });
  it("a commit still in flight when its worker crashed belongs to the old tenure; after a restart, a repeat is a new tenure", () => {
    const crashThenCommit = (restart: boolean): Trace => {
      const t = new Trace();
      t.record(0, "w1", "host.start", { incarnation: 1 });
      t.record(1, "w1", "lock.acquired", { task: "t1", session: "s1", token: 14 });
      t.record(50, "w1", "host.crash");
      if (restart) t.record(60, "w1", "host.start", { incarnation: 2 });
      // The commit was sent before the crash and applied by the resource after it.
      t.record(70, "store", "store.commit", { task: "t1", worker: "w1", token: 14, accepted: true });
      return t;
    };
    expect(checkers.fencing({ records: crashThenCommit(false).records, tasks }).verdict).toBe("holds");
    const afterRestart = checkers.fencing({ records: crashThenCommit(true).records, tasks });
    expect(afterRestart.verdict).toBe("violated");
    expect(afterRestart.detail).toMatch(/tenure of w1 \(from 70ms\) presented token 14, which repeats token 14/);
  });
  it("is not applicable for a worker that carries no token", () => {
    expect(checkers.fencing({ records: twoTenures([undefined, undefined], { logAcquired: true }).records, tasks }).verdict).toBe("not-applicable");
  });
});

describe("the other checkers, on small traces", () => {
  it("atMostOnce: violated by two accepted commits, holds with one", () => {
    expect(checkers.atMostOnce({ records: twoTenures([undefined, undefined], { logAcquired: true }).records, tasks }).verdict).toBe("violated");
    expect(checkers.atMostOnce({ records: twoTenures([undefined, undefined], { logAcquired: true, accepted: [true, false] }).records, tasks }).verdict).toBe("holds");
  });
  it("exclusiveExecution: violated by overlapping runs, holds for sequential ones", () => {
    const t = new Trace();
    t.record(0, "w1", "task.start", { task: "t1" });
    t.record(10, "w2", "task.start", { task: "t1" });
    expect(checkers.exclusiveExecution({ records: t.records, tasks }).verdict).toBe("violated");
    expect(checkers.exclusiveExecution({ records: twoTenures([1, 2], { logAcquired: true }).records, tasks }).verdict).toBe("holds");
  });
  it("a crash ends the crashed worker's run for exclusiveExecution", () => {
    const t = new Trace();
    t.record(0, "w1", "task.start", { task: "t1" });
    t.record(5, "w1", "host.crash");
    t.record(10, "w2", "task.start", { task: "t1" });
    expect(checkers.exclusiveExecution({ records: t.records, tasks }).verdict).toBe("holds");
  });
  it("modelInvariants: violated by an invariant record", () => {
    const t = new Trace();
    t.record(0, "consul", "consul.kv.acquire", { key: "k", session: "s", ok: true });
    t.record(1, "consul", "consul.invariant", { violation: "two holders of k" });
    expect(checkers.modelInvariants({ records: t.records, tasks })).toMatchObject({ verdict: "violated", detail: "two holders of k" });
  });
});
