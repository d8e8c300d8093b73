/**
 * Which writes wake which blocking reads. Consul's state store is go-memdb, whose indexes are
 * immutable radix trees (hashicorp/go-immutable-radix). A read adds to its watch set the mutate
 * channel of the tree node it stopped at; a write copies every node on its path (and the nodes it
 * splits or merges) and closes their channels at commit. So a blocking read on a *missing* key
 * wakes on a write to some *other* keys: those whose path passes through the node the lookup
 * stopped at (`GetWatch`). Measured on 1.8.7: with `p/q/a1`, `p/q/a2` stored, a read of the
 * missing `p/q/missing` wakes on writes to `p/q/a3`, `p/r` and `p/q/missing-not`, but not on
 * writes to `z/other` or `p` (after `p/q/missing-not` exists its lookup stops at that leaf's
 * node); with no key sharing its first byte it stops at the root and every write wakes it. A
 * present key's read watches its own leaf, which only a write to that key closes.
 *
 * This class keeps the tree's shape (keys as byte strings, one char per byte) and its channels,
 * not the values: the model's maps hold those.
 */

/** A node's or leaf's mutate channel: closed once, at the commit of a write that copied it. */
export class WatchChannel {
  /** Made on the first subscribe: every write replaces channels, and few are ever watched. */
  private listeners: Set<() => void> | undefined;
  private closedFlag = false;

  /** Whether a write has closed it (a read that holds it must re-run). */
  get closed(): boolean {
    return this.closedFlag;
  }

  /** Calls `listener` when the channel closes; returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    const listeners = (this.listeners ??= new Set());
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Closes the channel and tells every listener once. */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    if (!this.listeners) return;
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const l of listeners) l();
  }
}

interface RadixNode {
  prefix: string;
  /** Children, sorted by the first byte of their prefix (the edge label). */
  edges: RadixNode[];
  leaf: { key: string; ch: WatchChannel } | undefined;
  ch: WatchChannel;
}

const newNode = (prefix: string, leafKey?: string): RadixNode => ({
  prefix,
  edges: [],
  leaf: leafKey === undefined ? undefined : { key: leafKey, ch: new WatchChannel() },
  ch: new WatchChannel(),
});

function commonPrefixLength(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** An ASCII string is its own UTF-8 bytes, one char per byte: the common case needs no Buffer. */
/** A UTF-16 unit beyond ASCII. Its absence is /^\p{ASCII}*$/u's answer, found without a `u` regex, more cheaply. */
const nonAscii = /[\u0080-\uffff]/;

/** A key as go-memdb's StringFieldIndex stores it: its UTF-8 bytes and a NUL terminator. */
export function stringIndexKey(key: string): string {
  return `${stringIndexPrefix(key)}\0`;
}

/** A prefix as StringFieldIndex.PrefixFromArgs gives it: the bytes without the terminator. */
export function stringIndexPrefix(prefix: string): string {
  return !nonAscii.test(prefix) ? prefix : Buffer.from(prefix, "utf8").toString("latin1");
}

/** The value of a hex digit's char code, or -1. */
function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/**
 * A session id as go-memdb's UUIDFieldIndex stores it: its 16 bytes (so case does not matter).
 * Decoded as Buffer.from(hex-without-hyphens, "hex") does: pair by pair, stopping at the first
 * pair that is not hex and dropping an odd last digit (one of these per session call).
 */
export function uuidIndexKey(id: string): string {
  // The bytes are gathered and made into one flat string: appending them one by one built a chain
  // of 16 cons strings that every later comparison had to flatten (callgrind: ~0.5% of a
  // generated fenced run in String::SlowFlatten and Runtime_StringCharCodeAt).
  const bytes: number[] = [];
  let high = -1;
  for (let i = 0; i < id.length; i++) {
    const code = id.charCodeAt(i);
    if (code === 45) continue;
    const value = hexValue(code);
    if (high < 0) {
      if (value < 0) break;
      high = value;
    } else {
      if (value < 0) break;
      bytes.push(high * 16 + value);
      high = -1;
    }
  }
  // Spread arguments are bounded by the stack: long inputs (any string may come here) go in chunks.
  if (bytes.length <= 4_096) return String.fromCharCode(...bytes);
  let key = "";
  for (let i = 0; i < bytes.length; i += 4_096) key += String.fromCharCode(...bytes.slice(i, i + 4_096));
  return key;
}

/**
 * One go-memdb index as a radix tree of channels. Writes queue the channels they close; `commit`
 * closes them, as memdb's Txn.Commit does after the whole Raft entry is applied.
 */
export class RadixWatchIndex {
  private readonly root: RadixNode = newNode("");
  private pending: WatchChannel[] = [];

  /** The channel a lookup of `key` watches (iradix GetWatch): its leaf's, or the node it stopped at. */
  getWatch(key: string): WatchChannel {
    let n = this.root;
    let watch = n.ch;
    let search = key;
    for (;;) {
      if (search === "") return n.leaf ? n.leaf.ch : watch;
      const child = this.edge(n, search);
      if (!child) return watch;
      n = child;
      watch = n.ch;
      if (!search.startsWith(n.prefix)) return watch;
      search = search.slice(n.prefix.length);
    }
  }

  /** The channel a prefix scan watches (iradix SeekPrefixWatch). */
  seekPrefixWatch(prefix: string): WatchChannel {
    let n = this.root;
    let watch = n.ch;
    let search = prefix;
    while (search !== "") {
      const child = this.edge(n, search);
      if (!child) return watch;
      n = child;
      watch = n.ch;
      if (search.startsWith(n.prefix)) search = search.slice(n.prefix.length);
      else return watch;
    }
    return watch;
  }

  /** Inserts or updates `key` (iradix Txn.insert): every node on the path is copied. */
  insert(key: string): void {
    this.insertAt(this.root, key, key);
  }

  /** Deletes `key` if present (iradix Txn.delete, with its merges). */
  delete(key: string): boolean {
    return this.deleteAt(this.root, key);
  }

  /** Deletes every key under `prefix` (iradix Txn.DeletePrefix): the whole subtree's channels close. */
  deletePrefix(prefix: string): boolean {
    return this.deletePrefixAt(this.root, prefix);
  }

  /** Closes the channels the writes since the last commit closed. */
  commit(): void {
    const pending = this.pending;
    this.pending = [];
    for (const ch of pending) ch.close();
  }

  private edge(n: RadixNode, search: string): RadixNode | undefined {
    const label = search.charCodeAt(0);
    for (const e of n.edges) if (e.prefix.charCodeAt(0) === label) return e;
    return undefined;
  }

  private addEdge(n: RadixNode, child: RadixNode): void {
    n.edges.push(child);
    n.edges.sort((a, b) => (a.prefix < b.prefix ? -1 : 1));
  }

  /** writeNode: the node is copied, so its channel (and its leaf's, for a leaf update) closes. */
  private writeNode(n: RadixNode, forLeafUpdate: boolean): void {
    this.pending.push(n.ch);
    n.ch = new WatchChannel();
    if (forLeafUpdate && n.leaf) {
      this.pending.push(n.leaf.ch);
      n.leaf = { ...n.leaf, ch: new WatchChannel() };
    }
  }

  private insertAt(n: RadixNode, key: string, search: string): void {
    if (search === "") {
      this.writeNode(n, true);
      n.leaf = { key, ch: new WatchChannel() };
      return;
    }
    const child = this.edge(n, search);
    if (!child) {
      this.writeNode(n, false);
      this.addEdge(n, newNode(search, key));
      return;
    }
    const common = commonPrefixLength(search, child.prefix);
    if (common === child.prefix.length) {
      this.insertAt(child, key, search.slice(common));
      this.writeNode(n, false);
      return;
    }
    // Split: a new node takes the common part; the old child is copied under it.
    this.writeNode(n, false);
    const split = newNode(search.slice(0, common));
    n.edges[n.edges.indexOf(child)] = split;
    this.writeNode(child, false);
    child.prefix = child.prefix.slice(common);
    this.addEdge(split, child);
    const rest = search.slice(common);
    if (rest === "") split.leaf = { key, ch: new WatchChannel() };
    else this.addEdge(split, newNode(rest, key));
  }

  /** mergeChild: the only child is folded into `n`; its channel closes (it is abandoned). */
  private mergeChild(n: RadixNode): void {
    const child = n.edges[0]!;
    this.pending.push(child.ch);
    n.prefix += child.prefix;
    n.leaf = child.leaf;
    n.edges = child.edges;
  }

  /** After a child changed: drop it if it is empty, and merge `n` if it is left with one edge. */
  private afterChildChanged(n: RadixNode, child: RadixNode): void {
    this.writeNode(n, false);
    if (child.leaf || child.edges.length > 0) return;
    n.edges.splice(n.edges.indexOf(child), 1);
    if (n !== this.root && n.edges.length === 1 && !n.leaf) this.mergeChild(n);
  }

  private deleteAt(n: RadixNode, search: string): boolean {
    if (search === "") {
      if (!n.leaf) return false;
      this.writeNode(n, true);
      n.leaf = undefined;
      if (n !== this.root && n.edges.length === 1) this.mergeChild(n);
      return true;
    }
    const child = this.edge(n, search);
    if (!child || !search.startsWith(child.prefix)) return false;
    if (!this.deleteAt(child, search.slice(child.prefix.length))) return false;
    this.afterChildChanged(n, child);
    return true;
  }

  private closeSubtree(n: RadixNode): void {
    this.pending.push(n.ch);
    if (n.leaf) this.pending.push(n.leaf.ch);
    for (const e of n.edges) this.closeSubtree(e);
  }

  private deletePrefixAt(n: RadixNode, search: string): boolean {
    if (search === "") {
      this.writeNode(n, true);
      this.closeSubtree(n);
      n.leaf = undefined;
      n.edges = [];
      return true;
    }
    const child = this.edge(n, search);
    if (!child || (!child.prefix.startsWith(search) && !search.startsWith(child.prefix))) return false;
    const rest = child.prefix.length > search.length ? "" : search.slice(child.prefix.length);
    if (!this.deletePrefixAt(child, rest)) return false;
    this.afterChildChanged(n, child);
    return true;
  }
}
