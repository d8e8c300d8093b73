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
  run: () => void;
  cancelled: boolean;
}

function before(a: SimEvent, b: SimEvent): boolean {
  if (a.atMs !== b.atMs) return a.atMs < b.atMs;
  if (a.tie !== b.tie) return a.tie < b.tie;
  return a.seq < b.seq;
}

/** A binary min-heap of events. Cancelled events stay in the heap and are skipped on pop. */
export class EventQueue {
  private readonly heap: SimEvent[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(event: SimEvent): void {
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!before(event, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = event;
  }

  pop(): SimEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && before(heap[r]!, heap[l]!) ? r : l;
      if (!before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }

  peek(): SimEvent | undefined {
    return this.heap[0];
  }

  /** Live (not cancelled) events, in no particular order: for diagnostics only. */
  live(): SimEvent[] {
    return this.heap.filter((e) => !e.cancelled);
  }
}
