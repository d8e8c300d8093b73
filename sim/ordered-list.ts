/** One member's place in an OrderedList: what `add` returns and `remove` takes. */
export interface ListNode<T> {
  readonly value: T;
  prev: ListNode<T> | undefined;
  next: ListNode<T> | undefined;
  /** The list the node is in; undefined once removed. */
  list: OrderedList<T> | undefined;
}

/**
 * An insertion-ordered collection with O(1) add and remove, for the simulator's short-lived
 * waiting sets: the calls a host has in flight, the sleeps and calls waiting on an AbortSignal.
 * A Set did this before, but those sets keep going from empty to one or two members and back, and
 * V8 shrinks and regrows a Set's table at each of those steps: about 5% of the echo workload's
 * instructions went to rehashing (callgrind). Order is insertion order, as a Set's is, because
 * the order in which waiters are told (and so the order of what they schedule) is part of the
 * trace.
 */
export class OrderedList<T> {
  private first: ListNode<T> | undefined = undefined;
  private last: ListNode<T> | undefined = undefined;

  /** Appends `value`; keep the node to remove it later. */
  add(value: T): ListNode<T> {
    const node: ListNode<T> = { value, prev: this.last, next: undefined, list: this };
    if (this.last === undefined) this.first = node;
    else this.last.next = node;
    this.last = node;
    return node;
  }

  /** Takes `node` out of the list; nothing if it is no longer in this list. */
  remove(node: ListNode<T>): void {
    if (node.list !== this) return;
    if (node.prev === undefined) this.first = node.next;
    else node.prev.next = node.next;
    if (node.next === undefined) this.last = node.prev;
    else node.next.prev = node.prev;
    node.prev = node.next = node.list = undefined;
  }

  /** The members, in insertion order (a copy: the list may change while the caller walks it). */
  values(): T[] {
    const out: T[] = [];
    for (let n = this.first; n !== undefined; n = n.next) out.push(n.value);
    return out;
  }

  /** Empties the list and returns what it held, in insertion order. */
  clear(): T[] {
    const out: T[] = [];
    let n = this.first;
    while (n !== undefined) {
      const next = n.next;
      out.push(n.value);
      n.prev = n.next = n.list = undefined;
      n = next;
    }
    this.first = this.last = undefined;
    return out;
  }
}
