import { describe, expect, it } from "vitest";
import { Trace } from "../../sim/trace.js";
import type { TraceRecord } from "../../src/trace-events.js";

// The tail (sim/trace-tail.ts) keeps steps and network call records as numbers in typed arrays
// that grow; records written as objects keep their place among them.
describe("Trace tail", () => {
  // Writes `n` entries of every compact and object kind, in a pattern that varies hosts and ops,
  // into `t` and into the plain list `expected` the same entries as the records they must become.
  function writeMany(t: Trace, n: number, expected: TraceRecord[], readEvery: number): void {
    const hosts = ["h1", "h2", "-", "w10"];
    const ops = ["echo", "kv.acquire", "session.renew"];
    for (let i = 0; i < n; i++) {
      const host = hosts[i % hosts.length]!;
      const op = ops[(i >> 1) % ops.length]!;
      switch (i % 5) {
        case 0:
          t.step(i, host, i % 2 ? "timer" : "net.deliver");
          expected.push({ atMs: i, host, kind: "step", data: { e: i % 2 ? "timer" : "net.deliver" } } as TraceRecord);
          break;
        case 1:
          t.call(i, host, "net.send", i * 7, op);
          expected.push({ atMs: i, host, kind: "net.send", data: { call: i * 7, op } } as TraceRecord);
          break;
        case 2:
          t.record(i, host, "host.pause");
          expected.push({ atMs: i, host, kind: "host.pause", data: undefined } as TraceRecord);
          break;
        case 3:
          t.call(i, host, i % 2 ? "net.recv" : "net.timeout", i * 7 - 14, op);
          expected.push({ atMs: i, host, kind: i % 2 ? "net.recv" : "net.timeout", data: { call: i * 7 - 14, op } } as TraceRecord);
          break;
        default:
          t.record(i, host, "net.partition", { mode: "both" });
          expected.push({ atMs: i, host, kind: "net.partition", data: { mode: "both" } } as TraceRecord);
      }
      if (readEvery > 0 && i % readEvery === readEvery - 1) expect(t.records.length).toBe(expected.length);
    }
  }

  it("gives back every entry in write order past several growths of its arrays", () => {
    const expected: TraceRecord[] = [];
    const t = new Trace();
    writeMany(t, 5_000, expected, 0);
    expect(t.records.map(Trace.line)).toEqual(expected.map(Trace.line));
  });

  it("gives the same records whether it is read once at the end or often on the way", () => {
    const once = new Trace();
    const often = new Trace();
    writeMany(once, 3_000, [], 0);
    writeMany(often, 3_000, [], 333);
    expect(often.hash()).toBe(once.hash());
    expect(often.records).toHaveLength(3_000);
  });

  it("writes a call record's data with its keys in the order the vocabulary gives (call, then op)", () => {
    const t = new Trace();
    t.call(5, "h1", "net.recv", 12, "kv.get");
    expect(t.text()).toBe('5\th1\tnet.recv\t{"call":12,"op":"kv.get"}');
  });

  it("keeps an empty host name as it is, first or later", () => {
    const t = new Trace();
    t.step(1, "", "timer");
    t.step(2, "h1", "timer");
    t.call(3, "", "net.send", 1, "");
    expect(t.text().split("\n")).toEqual(['1\t\tstep\t{"e":"timer"}', '2\th1\tstep\t{"e":"timer"}', '3\t\tnet.send\t{"call":1,"op":""}']);
  });
});
