import { grownFloat64, grownInt32 } from "./typed-columns.js";

/**
 * A scheduled event. Events are ordered by `atMs`, then by `tie` (a seeded draw, so that the order
 * of equal-time events differs between seeds and is explored), then by `seq` (insertion order,
 * which makes the order total and therefore deterministic).
 */
export interface SimEvent {
  atMs: number;
  tie: number;
  seq: number;
  /** The host whose code this event runs, or undefined for the world and Consul itself. */
  hostId: string | undefined;
  /** The host's incarnation when the event was scheduled; a crash makes older ones stale. */
  incarnation: number;
  /** What the event is, for the trace and for "what was still pending" messages. */
  label: string;
  /** What the event does, called with `target` as `this` (a closure ignores it). */
  run: (this: unknown) => void;
  /**
   * The object `run` is a method of, or undefined for a closure: the network's and the clocks'
   * events run shared methods of the call or the sleep instead of a fresh closure each (every
   * closure costs an allocation and, on its first call, V8's CompileLazy).
   */
  target: unknown;
  cancelled: boolean;
}

const capacityMin = 64;

/**
 * A binary min-heap of events. Cancelled events stay in the heap and are skipped on pop.
 *
 * The heap orders numbers, not objects: each entry is a slot number, and the keys (`atMs`, `tie`,
 * `seq`) sit beside it in typed arrays, while the events themselves wait in `slots` until popped.
 * Sifting then moves plain numbers. With the events in the heap array itself, every move stored a
 * young object into an old array, and V8 ran its write barrier for each (callgrind: about 4% of
 * the standard workload's instructions, in `takeNext` and `schedule`). The order is the same
 * total order, so the events come out in the same sequence as before.
 */
export class EventQueue {
  private count = 0;
  private atMs = new Float64Array(capacityMin);
  // Float64 rather than Uint32: a resumed host's held events are queued with tie -1.
  private tie = new Float64Array(capacityMin);
  private seq = new Float64Array(capacityMin);
  private slotOf = new Int32Array(capacityMin);
  private readonly slots: (SimEvent | undefined)[] = [];
  private readonly freeSlots: number[] = [];

  /** Events in the heap, cancelled ones included. */
  get size(): number {
    return this.count;
  }

  /**
   * Adds an event. The (atMs, tie, seq) comparison and the entry moves are written out here and in
   * the sift-down rather than shared as methods: with them as methods, a warm echo event cost 4.6%
   * more instructions (callgrind, 6,697 vs 6,403).
   */
  push(event: SimEvent): void {
    if (this.count === this.atMs.length) this.grow();
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.slots.length;
      this.slots.push(event);
    } else {
      this.slots[slot] = event;
    }
    const { atMs, tie, seq, slotOf } = this;
    const a = event.atMs;
    const t = event.tie;
    const s = event.seq;
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pa = atMs[parent]!;
      if (pa < a || (pa === a && (tie[parent]! < t || (tie[parent] === t && seq[parent]! < s)))) break;
      atMs[i] = pa;
      tie[i] = tie[parent]!;
      seq[i] = seq[parent]!;
      slotOf[i] = slotOf[parent]!;
      i = parent;
    }
    atMs[i] = a;
    tie[i] = t;
    seq[i] = s;
    slotOf[i] = slot;
  }

  /** Removes and returns the earliest event (cancelled or not), or undefined when empty. */
  pop(): SimEvent | undefined {
    if (this.count === 0) return undefined;
    const { atMs, tie, seq, slotOf } = this;
    const topSlot = slotOf[0]!;
    const top = this.slots[topSlot];
    this.slots[topSlot] = undefined;
    this.freeSlots.push(topSlot);
    const n = --this.count;
    if (n > 0) this.siftDownLast(atMs, tie, seq, slotOf, n);
    return top;
  }

  // Moves the entry at `n` (the last) into the hole at the root and sifts it down.
  private siftDownLast(atMs: Float64Array, tie: Float64Array, seq: Float64Array, slotOf: Int32Array, n: number): void {
    const a = atMs[n]!;
    const t = tie[n]!;
    const s = seq[n]!;
    const slot = slotOf[n]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n) {
        const ar = atMs[r]!;
        const al = atMs[l]!;
        if (ar < al || (ar === al && (tie[r]! < tie[l]! || (tie[r] === tie[l] && seq[r]! < seq[l]!)))) c = r;
      }
      const ac = atMs[c]!;
      if (!(ac < a || (ac === a && (tie[c]! < t || (tie[c] === t && seq[c]! < s))))) break;
      atMs[i] = ac;
      tie[i] = tie[c]!;
      seq[i] = seq[c]!;
      slotOf[i] = slotOf[c]!;
      i = c;
    }
    atMs[i] = a;
    tie[i] = t;
    seq[i] = s;
    slotOf[i] = slot;
  }

  /** The earliest event, left in place. */
  peek(): SimEvent | undefined {
    return this.count === 0 ? undefined : this.slots[this.slotOf[0]!];
  }

  /** Live (not cancelled) events, in no particular order: for diagnostics only. */
  live(): SimEvent[] {
    const out: SimEvent[] = [];
    for (let i = 0; i < this.count; i++) {
      const e = this.slots[this.slotOf[i]!]!;
      if (!e.cancelled) out.push(e);
    }
    return out;
  }

  private grow(): void {
    this.atMs = grownFloat64(this.atMs);
    this.tie = grownFloat64(this.tie);
    this.seq = grownFloat64(this.seq);
    this.slotOf = grownInt32(this.slotOf);
  }
}
