import { consulOk, type ConsulHttpTarget } from "./consul-http.js";

/**
 * Key prefixes under which locksim writes: `locksim replay --real` (run-scenario-real.ts), the
 * real fleet (real-fleet.ts) and locksim's own test suite (test/consul/consul-target.ts). Each run
 * writes under `<prefix><uuid>/`, so nothing outside these prefixes is ever touched.
 */
export const locksimKeyPrefixes = ["locksim-replay/", "locksim-run/", "locksim-test/"] as const;

/**
 * The start of every session name locksim's reference workers and tools use: "locksim-naive-w1",
 * "locksim-fenced-w2", "locksim-api-lock-w1" (src/workers), "locksim-preflight" (preflight.ts).
 */
export const locksimSessionNamePrefix = "locksim-";

/** One session found on the agent. */
export interface LeftoverSession {
  id: string;
  name: string;
  node: string;
  /** Why it counts as locksim's: its name, or a locksim key it holds. */
  reason: "name" | "holds a locksim key";
}

/** What locksim's runs left on an agent. */
export interface Leftovers {
  sessions: LeftoverSession[];
  /** Every key under locksimKeyPrefixes. */
  keys: string[];
}

/**
 * Finds what locksim's runs left: every key under its prefixes, every session whose name starts
 * with "locksim-", and every session (whatever its name, e.g. a user's worker module) that holds a
 * key under those prefixes.
 */
export async function findLeftovers(target: ConsulHttpTarget): Promise<Leftovers> {
  const keys: string[] = [];
  const holders = new Set<string>();
  for (const prefix of locksimKeyPrefixes) {
    const a = await consulOk(target, "GET", `/v1/kv/${prefix}?recurse`, { allow404: true });
    if (a.status === 404) continue;
    for (const e of JSON.parse(a.text) as { Key: string; Session?: string }[]) {
      keys.push(e.Key);
      if (e.Session) holders.add(e.Session);
    }
  }
  const all = JSON.parse((await consulOk(target, "GET", "/v1/session/list")).text) as { ID: string; Name: string; Node: string }[];
  const sessions: LeftoverSession[] = [];
  for (const s of all) {
    const byName = s.Name.startsWith(locksimSessionNamePrefix);
    if (byName || holders.has(s.ID)) sessions.push({ id: s.ID, name: s.Name, node: s.Node, reason: byName ? "name" : "holds a locksim key" });
  }
  return { sessions, keys: keys.sort() };
}

/** What removeLeftovers did, and what a fresh scan found afterwards. */
export interface LeftoverRemoval {
  removed: { sessions: number; keys: number };
  left: Leftovers;
}

/**
 * Destroys the sessions, then deletes the prefixes that hold keys (in this order: a session with
 * Behavior "release" leaves its keys behind when destroyed), then scans again.
 */
export async function removeLeftovers(target: ConsulHttpTarget, found: Leftovers): Promise<LeftoverRemoval> {
  let sessions = 0;
  for (const s of found.sessions) {
    await consulOk(target, "PUT", `/v1/session/destroy/${s.id}`);
    sessions++;
  }
  for (const prefix of locksimKeyPrefixes) {
    if (found.keys.some((k) => k.startsWith(prefix))) await consulOk(target, "DELETE", `/v1/kv/${prefix}?recurse`);
  }
  const left = await findLeftovers(target);
  return { removed: { sessions, keys: Math.max(0, found.keys.length - left.keys.length) }, left };
}
