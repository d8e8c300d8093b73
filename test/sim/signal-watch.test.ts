import { describe, expect, it } from "vitest";
import { hasAborted, watchOf } from "../../sim/abort-waiters.js";

// The simulator reads a signal's abort from its watch (sim/abort-waiters.ts) instead of
// `signal.aborted`, which is dear in Node 20. The watch must answer exactly as `signal.aborted`
// would at every moment the simulator asks, or a trace could change: these are the moments.
describe("SignalWatch answers as signal.aborted would", () => {
  it("before, during and after the abort, when its listener is the signal's first", () => {
    const c = new AbortController();
    const watch = watchOf(c.signal);
    expect(watch.exact).toBe(true);
    const seen: boolean[] = [];
    // A listener added after the watch's runs after it: the flag is already up.
    c.signal.addEventListener("abort", () => seen.push(hasAborted(watch, c.signal), c.signal.aborted));
    expect(hasAborted(watch, c.signal)).toBe(false);
    c.abort();
    expect(seen).toEqual([true, true]);
    expect(hasAborted(watch, c.signal)).toBe(true);
  });

  it("asks the signal when a listener ran before the watch's (it may sleep or call on the signal)", () => {
    const ways = [(s: AbortSignal, probe: () => void) => s.addEventListener("abort", probe), (s: AbortSignal, probe: () => void) => (s.onabort = probe)];
    for (const setUp of ways) {
      const c = new AbortController();
      const seen: boolean[] = [];
      // The probe is added first, so it is made before the watch it reads.
      const later: { watch?: ReturnType<typeof watchOf> } = {};
      setUp(c.signal, () => seen.push(hasAborted(later.watch!, c.signal), c.signal.aborted));
      later.watch = watchOf(c.signal);
      expect(later.watch.exact).toBe(false);
      c.abort();
      expect(seen).toEqual([true, true]);
    }
  });

  it("an aborted signal, an abort event dispatched by hand, and a signal that is not Node's", () => {
    const aborted = AbortSignal.abort();
    expect(hasAborted(watchOf(aborted), aborted)).toBe(true);
    const c = new AbortController();
    const watch = watchOf(c.signal);
    c.signal.dispatchEvent(new Event("abort"));
    expect(hasAborted(watch, c.signal)).toBe(false);
    c.abort();
    expect(hasAborted(watch, c.signal)).toBe(true);
    // A polyfill's signal (its own event target, not Node's): getEventListeners cannot read it,
    // and the watch then asks the signal.
    const fake = { aborted: false, reason: undefined, addEventListener: () => undefined, removeEventListener: () => undefined } as unknown as AbortSignal;
    const fakeWatch = watchOf(fake);
    expect(hasAborted(fakeWatch, fake)).toBe(false);
    (fake as unknown as { aborted: boolean }).aborted = true;
    expect(hasAborted(fakeWatch, fake)).toBe(true);
  });

  // Node 20 marks an AbortSignal.any dependent aborted only after its source's abort event has
  // been dispatched (the WHATWG order marks it first). A source listener that asks about the
  // dependent must get the signal's own answer either way: if a Node changes the order, the
  // watch has to follow, or a trace would change.
  it("for an AbortSignal.any dependent, asked from a listener of its source", () => {
    const source = new AbortController();
    const dependent = AbortSignal.any([source.signal]);
    const watch = watchOf(dependent);
    const seen: boolean[] = [];
    source.signal.addEventListener("abort", () => seen.push(hasAborted(watch, dependent), dependent.aborted));
    source.abort();
    expect(seen[0]).toBe(seen[1]);
    expect(hasAborted(watch, dependent)).toBe(true);
  });
});
