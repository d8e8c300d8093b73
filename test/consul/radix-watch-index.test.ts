import { describe, expect, it } from "vitest";
import { RadixWatchIndex, stringIndexKey, uuidIndexKey } from "../../sim/consul/radix-watch-index.js";

/** Whether a write (between a lookup and the commit) closes the channel the lookup of `key` watches. */
function wakes(keys: string[], key: string, write: (index: RadixWatchIndex) => void): boolean {
  const index = new RadixWatchIndex();
  for (const k of keys) index.insert(stringIndexKey(k));
  index.commit();
  const ch = index.getWatch(stringIndexKey(key));
  write(index);
  expect(ch.closed, "channels close only at commit").toBe(false);
  index.commit();
  return ch.closed;
}

describe("the kvs index's watch channels (go-immutable-radix, as measured on 1.8.7)", () => {
  const stored = ["p/q/a1", "p/q/a2"];

  it("wakes a missing key's read on writes through the node its lookup stopped at, and only those", () => {
    const put = (k: string) => (index: RadixWatchIndex) => index.insert(stringIndexKey(k));
    expect(wakes(stored, "p/q/missing", put("z/other"))).toBe(false);
    expect(wakes(stored, "p/q/missing", put("p/q/a3"))).toBe(true);
    expect(wakes(stored, "p/q/missing", put("p/r"))).toBe(true);
    expect(wakes(stored, "p/q/missing", put("p/q/missing-not"))).toBe(true);
    expect(wakes([...stored, "p/r", "p/q/missing-not"], "p/q/missing", put("p"))).toBe(false);
  });

  it("wakes a present key's read only on its own change", () => {
    const index = new RadixWatchIndex();
    for (const k of stored) index.insert(stringIndexKey(k));
    index.commit();
    const ch = index.getWatch(stringIndexKey("p/q/a1"));
    index.insert(stringIndexKey("p/q/a1x"));
    index.insert(stringIndexKey("p/q/a2"));
    index.delete(stringIndexKey("p/q/a2"));
    index.commit();
    expect(ch.closed).toBe(false);
    index.insert(stringIndexKey("p/q/a1"));
    index.commit();
    expect(ch.closed).toBe(true);
  });

  it("wakes every read under a prefix that is deleted, and a list of it", () => {
    const index = new RadixWatchIndex();
    for (const k of [...stored, "z/x"]) index.insert(stringIndexKey(k));
    index.commit();
    const leaf = index.getWatch(stringIndexKey("p/q/a2"));
    const list = index.seekPrefixWatch("p/");
    const other = index.getWatch(stringIndexKey("z/x"));
    expect(index.deletePrefix("p/")).toBe(true);
    index.commit();
    expect([leaf.closed, list.closed, other.closed]).toEqual([true, true, false]);
    expect(index.deletePrefix("nothing/")).toBe(false);
  });

  it("keys session ids by their bytes, so that case does not matter", () => {
    expect(uuidIndexKey("132382AF-3705-6934-5DED-EEDB88DD19BD")).toBe(uuidIndexKey("132382af-3705-6934-5ded-eedb88dd19bd"));
    expect(uuidIndexKey("132382af-3705-6934-5ded-eedb88dd19bd")).toHaveLength(16);
  });
});
