import { describe, expect, it } from "vitest";
import { OrderedList } from "../../sim/ordered-list.js";
import { stopWaitingOnAbort, waitOnAbort } from "../../sim/abort-waiters.js";

describe("OrderedList", () => {
  it("keeps insertion order through removals at the head, middle and tail", () => {
    const list = new OrderedList<string>();
    const [a, b, c, d] = ["a", "b", "c", "d"].map((v) => list.add(v));
    list.remove(b!);
    expect(list.values()).toEqual(["a", "c", "d"]);
    list.remove(a!);
    list.remove(d!);
    expect(list.values()).toEqual(["c"]);
    const e = list.add("e");
    expect(list.values()).toEqual(["c", "e"]);
    list.remove(c!);
    list.remove(e);
    expect(list.values()).toEqual([]);
    list.add("f");
    expect(list.values()).toEqual(["f"]);
  });

  it("ignores a node removed twice or from another list", () => {
    const one = new OrderedList<number>();
    const two = new OrderedList<number>();
    const x = one.add(1);
    one.add(2);
    two.add(3);
    two.remove(x);
    expect(one.values()).toEqual([1, 2]);
    one.remove(x);
    one.remove(x);
    expect(one.values()).toEqual([2]);
    expect(two.values()).toEqual([3]);
  });

  it("clear returns the members in order and leaves their nodes removable as no-ops", () => {
    const list = new OrderedList<string>();
    const nodes = ["a", "b", "c"].map((v) => list.add(v));
    expect(list.clear()).toEqual(["a", "b", "c"]);
    for (const n of nodes) list.remove(n);
    expect(list.values()).toEqual([]);
    list.add("d");
    expect(list.values()).toEqual(["d"]);
  });
});

describe("abort waiters", () => {
  // The order in which waiters hear an abort is the order of what they schedule, so part of the trace.
  it("tells the waiters still waiting, in the order they joined", () => {
    const abort = new AbortController();
    const heard: string[] = [];
    const waiter = (name: string) => ({ onAbort: () => heard.push(name) });
    const places = ["w1", "w2", "w3", "w4"].map((n) => waitOnAbort(abort.signal, waiter(n)));
    stopWaitingOnAbort(places[1]!);
    stopWaitingOnAbort(places[1]!);
    waitOnAbort(abort.signal, waiter("w5"));
    abort.abort();
    expect(heard).toEqual(["w1", "w3", "w4", "w5"]);
  });
});
