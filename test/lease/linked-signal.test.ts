import { describe, expect, it } from "vitest";
import { linkSignals } from "../../src/lease/linked-signal.js";

describe("linkSignals (AbortSignal.any made by hand, so that it can be let go)", () => {
  it("aborts with the reason of whichever source aborts first, and only once", () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = linkSignals(a.signal, b.signal);
    let heard = 0;
    linked.signal.addEventListener("abort", () => heard++);
    expect(linked.signal.aborted).toBe(false);
    b.abort("second");
    a.abort("first");
    expect(linked.signal.aborted).toBe(true);
    expect(linked.signal.reason).toBe("second");
    expect(heard).toBe(1);
  });

  it("is aborted at once when a source already is", () => {
    const a = new AbortController();
    a.abort("gone");
    const linked = linkSignals(a.signal, new AbortController().signal);
    expect(linked.signal.aborted).toBe(true);
    expect(linked.signal.reason).toBe("gone");
  });

  it("after unlink, a source's abort no longer reaches it", () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = linkSignals(a.signal, b.signal);
    linked.unlink();
    linked.unlink();
    a.abort("late");
    expect(linked.signal.aborted).toBe(false);
  });
});
