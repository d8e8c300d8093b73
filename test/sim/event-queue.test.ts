import { describe, expect, it } from "vitest";
import { EventQueue, type SimEvent } from "../../sim/event-queue.js";
import { Prng } from "../../sim/prng.js";

function event(atMs: number, tie: number, seq: number): SimEvent {
  return { atMs, tie, seq, hostId: undefined, incarnation: 0, label: `e${seq}`, run: () => {}, target: undefined, cancelled: false };
}

const byKey = (a: SimEvent, b: SimEvent): number => a.atMs - b.atMs || a.tie - b.tie || a.seq - b.seq;

// The heap keeps its keys in typed arrays and its events in a slot table whose slots are reused
// (sim/event-queue.ts): the order must be the total order (atMs, tie, seq) through growth,
// emptying and refilling, also with two queues in use at once.
describe("EventQueue", () => {
  it("pops in (atMs, tie, seq) order through growth, interleaved pops, emptying and refilling", () => {
    const prng = new Prng("event-queue");
    let seq = 0;
    for (let round = 0; round < 3; round++) {
      const q = new EventQueue();
      const reference: SimEvent[] = [];
      const popped: SimEvent[] = [];
      const expected: SimEvent[] = [];
      for (let i = 0; i < 3_000; i++) {
        // Few distinct times and ties, so that ties and seq decide often; tie -1 as a resume makes it.
        const e = event(prng.int(0, 40), prng.chance(0.1) ? -1 : prng.int(0, 3), seq++);
        q.push(e);
        reference.push(e);
        if (prng.chance(0.4)) {
          reference.sort(byKey);
          expected.push(reference.shift()!);
          popped.push(q.pop()!);
        }
      }
      expect(q.size).toBe(reference.length);
      expect(q.peek()).toBe(reference.sort(byKey)[0]);
      expect(new Set(q.live())).toEqual(new Set(reference));
      while (q.size > 0) popped.push(q.pop()!);
      expected.push(...reference);
      expect(popped.map((e) => e.seq)).toEqual(expected.map((e) => e.seq));
      expect(q.pop()).toBeUndefined();
      expect(q.peek()).toBeUndefined();
    }
  });

  it("keeps two queues filled and emptied side by side apart", () => {
    const a = new EventQueue();
    const b = new EventQueue();
    for (let i = 0; i < 200; i++) {
      a.push(event(200 - i, 0, i));
      b.push(event(i, 0, 1_000 + i));
      if (i % 3 === 0) {
        a.pop();
        b.pop();
      }
    }
    const drain = (q: EventQueue): number[] => {
      const out: number[] = [];
      for (let e = q.pop(); e !== undefined; e = q.pop()) out.push(e.seq);
      return out;
    };
    const fromA = drain(a);
    const fromB = drain(b);
    expect(fromA.every((seq) => seq < 200)).toBe(true);
    expect(fromB.every((seq) => seq >= 1_000)).toBe(true);
    expect(fromA.length + fromB.length).toBe(400 - 2 * 67);
  });

  it("leaves cancelled events in place and lists only live ones", () => {
    const q = new EventQueue();
    const a = event(5, 0, 1);
    const b = event(3, 0, 2);
    q.push(a);
    q.push(b);
    b.cancelled = true;
    expect(q.live()).toEqual([a]);
    expect(q.pop()).toBe(b);
    expect(q.pop()).toBe(a);
  });
});
