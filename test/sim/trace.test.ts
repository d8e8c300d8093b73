import { describe, expect, it } from "vitest";
import { Trace } from "../../sim/trace.js";

describe("Trace", () => {
  // Step records are kept compactly until `records` is read (sim/trace.ts): reading in the middle,
  // then writing more, must give the same records in the same order as writing all, then reading.
  it("keeps records and steps in write order, however often it is read", () => {
    const write = (t: Trace, readBetween: boolean): void => {
      t.record(0, "h1", "host.start", { incarnation: 1 });
      t.step(1, "h1", "timer");
      t.record(1, "h1", "net.send", { call: 1, op: "echo" });
      if (readBetween) expect(t.records.map((r) => r.kind)).toEqual(["host.start", "step", "net.send"]);
      t.step(2, "-", "net.deliver");
      t.step(3, "h2", "timer");
      t.append(3, "store", { kind: "store.commit", data: { task: "t1", worker: "h2", token: 5, accepted: true } });
      t.step(4, "h1", "timer");
    };
    const once = new Trace();
    write(once, false);
    const twice = new Trace();
    write(twice, true);
    const lines = once.text().split("\n");
    expect(lines).toEqual([
      "0\th1\thost.start\t{\"incarnation\":1}",
      "1\th1\tstep\t{\"e\":\"timer\"}",
      "1\th1\tnet.send\t{\"call\":1,\"op\":\"echo\"}",
      "2\t-\tstep\t{\"e\":\"net.deliver\"}",
      "3\th2\tstep\t{\"e\":\"timer\"}",
      "3\tstore\tstore.commit\t{\"task\":\"t1\",\"worker\":\"h2\",\"token\":5,\"accepted\":true}",
      "4\th1\tstep\t{\"e\":\"timer\"}",
    ]);
    expect(twice.text()).toBe(once.text());
    expect(twice.hash()).toBe(once.hash());
    expect(once.ofKind("step").map((r) => r.data.e)).toEqual(["timer", "net.deliver", "timer", "timer"]);
  });
});
