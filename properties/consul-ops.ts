import fc from "fast-check";

/**
 * Generated sequences of Consul session and KV calls for the differential property: the same
 * sequence runs against the model and a real agent, and the normalised answers must be equal.
 *
 * Timing is chosen so that no call lands near a time boundary. Calls happen just after whole
 * seconds counted from the start of the sequence (sleeps are whole seconds; a blocking read is
 * followed by a wait for the next whole second). Every boundary sits at least 0.2s away from a
 * whole second: TTL 10.25s expires 20.5s after the last renew (offset .5), lock-delay 1.2s after a
 * destroy ends at offset .2, and after an expiry at offset .7. Real Consul's few ms of latency and
 * its expiry lateness (measured 30–130ms) therefore never change an outcome.
 */
export type ConsulOp =
  | { op: "create"; ttl: "" | "10.25s"; behavior: "release" | "delete"; lockDelay: "0s" | "1200ms" }
  | { op: "destroy"; s: number }
  /** `from` takes `k`, is destroyed, and `to` at once tries `k`: a lock hand-over, the lock-delay case. */
  | { op: "handover"; k: number; from: number; to: number }
  | { op: "renew"; s: number }
  | { op: "info"; s: number }
  | { op: "acquire"; k: number; s: number; value: string; flags: number }
  | { op: "release"; k: number; s: number; value: string }
  | { op: "put"; k: number; value: string }
  | { op: "cas"; k: number; mode: "zero" | "current" | "stale"; value: string }
  | { op: "delete"; k: number; cas: "none" | "current" | "stale" }
  | { op: "get"; k: number; consistent: boolean }
  | { op: "block"; k: number }
  | { op: "sleep"; seconds: number }
  // The areas of issue 12; `areasOf` names each op's area.
  /** Blocks on a missing key, then writes beside it, elsewhere or nowhere (area 1). */
  | { op: "blockMissing"; name: "a/pm" | "m"; write: "sibling" | "elsewhere" | "none" }
  /** A value of exactly 512 KiB, or one byte more (area 2). */
  | { op: "bigValue"; k: number; over: boolean; mode: "put" | "cas" | "acquire" }
  /** A key that needs escaping, or an unclean path (area 3). */
  | { op: "oddKey"; name: number; action: "put" | "get" | "delete" }
  /** `/v1/kv/` with no key (area 3). */
  | { op: "emptyKey"; method: "PUT" | "GET" | "DELETE" }
  /** A session create with a check-list variant, some naming the sequence's TTL check (areas 4, 5). */
  | { op: "createChecks"; variant: number }
  /** Passes the sequence's TTL check, restarting its 10.5s TTL (area 5). */
  | { op: "checkPass" }
  /** A session create with an overflowing or odd TTL / LockDelay (area 6). */
  | { op: "createOverflow"; variant: number }
  /** A session call with the id in upper case (area 7). */
  | { op: "upper"; action: "acquire" | "release" | "renew" | "info" | "destroy"; k: number; s: number }
  /** A blocking session/info on a live session, then a renew, a create, its destroy or nothing (area 8). */
  | { op: "blockInfo"; s: number; during: "renew" | "create" | "destroy" | "none" }
  /** A recursive read (area 9). */
  | { op: "list"; prefix: "" | "k" | "a/" | "q/" | "n/" }
  /** A recursive delete, with or without `cas` (area 9). */
  | { op: "deleteTree"; prefix: "k" | "q/" | "q/a"; cas: boolean }
  /** A wrong method or an unknown path (area 10). */
  | { op: "badRoute"; variant: number };

/** Key names under the sequence's prefix that need escaping or are cleaned by Go's ServeMux. */
export const oddKeyNames = ["q/a%b", "q/a b", "q/a?b", "q/a#b", "q/é", "q/a+b", "q/a%2Fb", "q/a//b", "/q/lead", "q/./c"];

/** Session-create bodies for area 4 and 5; "CHK" is replaced by the sequence's TTL check. */
export const checkBodies: unknown[] = [
  {},
  { Checks: null },
  { NodeChecks: null },
  { Checks: [] },
  { NodeChecks: [] },
  { Checks: ["serfHealth"], NodeChecks: [] },
  { Checks: ["nope"] },
  { ServiceChecks: [] },
  { ServiceChecks: [{ ID: "nope" }] },
  { Checks: ["CHK"] },
  { NodeChecks: ["serfHealth", "CHK"] },
  { Checks: [], NodeChecks: ["CHK"] },
  { ServiceChecks: [{ ID: "CHK" }] },
];

/** Raw session-create bodies for area 6. */
export const overflowBodies = [
  '{"TTL":"9999999999h"}',
  '{"TTL":"2562047h"}',
  '{"TTL":"9223372036854775807ns"}',
  '{"TTL":"1e3s"}',
  '{"LockDelay":"9999999999h"}',
  '{"LockDelay":9223372036854775807}',
  '{"LockDelay":1e30}',
  '{"LockDelay":-1}',
  '{"LockDelay":1.5}',
  '{"LockDelay":"-2562047h"}',
];

/** Wrong methods and unknown or unclean paths for area 10. */
export const badRoutes: { method: "GET" | "PUT" | "DELETE"; path: string }[] = [
  { method: "GET", path: "/v1/session/create" },
  { method: "DELETE", path: "/v1/session/info/x" },
  { method: "PUT", path: "/v1/status/leader" },
  { method: "GET", path: "/v1/session/renew/x" },
  { method: "GET", path: "/v1/nothing" },
  { method: "GET", path: "/v1/session/list/x" },
  { method: "PUT", path: "/v1/session/destroy" },
  { method: "GET", path: "/v1/kv" },
];

/** The areas of issue 12 that one op exercises (numbered as in the list). */
export function areasOf(o: ConsulOp): number[] {
  const areas: Partial<Record<ConsulOp["op"], number[]>> = {
    blockMissing: [1],
    bigValue: [2],
    oddKey: [3],
    emptyKey: [3],
    createChecks: [4],
    checkPass: [5],
    createOverflow: [6],
    upper: [7],
    blockInfo: [8],
    list: [9],
    deleteTree: [9],
    badRoute: [10],
  };
  if (o.op === "createChecks" && JSON.stringify(checkBodies[o.variant]).includes("CHK")) return [4, 5];
  return areas[o.op] ?? [];
}

/** Longest virtual (and real) time one sequence may sleep in total, in seconds. */
export const sleepSecondsMax = 45;

const session = fc.integer({ min: 0, max: 2 });
const key = fc.integer({ min: 0, max: 1 });
const value = fc.constantFrom("", "a", "b");

/** One call. Weights favour the lock calls and the sleeps that cross lock-delay and TTL bounds. */
export const consulOpArb: fc.Arbitrary<ConsulOp> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("create" as const), ttl: fc.constantFrom("" as const, "10.25s" as const), behavior: fc.constantFrom("release" as const, "delete" as const), lockDelay: fc.constantFrom("0s" as const, "1200ms" as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("destroy" as const), s: session }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("handover" as const), k: key, from: session, to: session }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("renew" as const), s: session }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("info" as const), s: session }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant("acquire" as const), k: key, s: session, value, flags: fc.constantFrom(0, 7) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("release" as const), k: key, s: session, value }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("put" as const), k: key, value }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("cas" as const), k: key, mode: fc.constantFrom("zero" as const, "current" as const, "stale" as const), value }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("delete" as const), k: key, cas: fc.constantFrom("none" as const, "current" as const, "stale" as const) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("get" as const), k: key, consistent: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("block" as const), k: key }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant("sleep" as const), seconds: fc.constantFrom(1, 1, 2, 2, 3, 21) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("blockMissing" as const), name: fc.constantFrom("a/pm" as const, "m" as const), write: fc.constantFrom("sibling" as const, "elsewhere" as const, "none" as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("bigValue" as const), k: key, over: fc.boolean(), mode: fc.constantFrom("put" as const, "cas" as const, "acquire" as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("oddKey" as const), name: fc.nat({ max: oddKeyNames.length - 1 }), action: fc.constantFrom("put" as const, "get" as const, "delete" as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("emptyKey" as const), method: fc.constantFrom("PUT" as const, "GET" as const, "DELETE" as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("createChecks" as const), variant: fc.nat({ max: checkBodies.length - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("checkPass" as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("createOverflow" as const), variant: fc.nat({ max: overflowBodies.length - 1 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("upper" as const), action: fc.constantFrom("acquire" as const, "release" as const, "renew" as const, "info" as const, "destroy" as const), k: key, s: session }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("blockInfo" as const), s: session, during: fc.constantFrom("renew" as const, "create" as const, "destroy" as const, "none" as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("list" as const), prefix: fc.constantFrom("" as const, "k" as const, "a/" as const, "q/" as const, "n/" as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("deleteTree" as const), prefix: fc.constantFrom("k" as const, "q/" as const, "q/a" as const), cas: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("badRoute" as const), variant: fc.nat({ max: badRoutes.length - 1 }) }) },
);

/** A sequence: starts with a session so that lock calls have something to work with. */
export const consulSequenceArb: fc.Arbitrary<ConsulOp[]> = fc
  .tuple(consulOpArb.filter((o) => o.op === "create"), fc.array(consulOpArb, { minLength: 4, maxLength: 24, size: "+1" }))
  .map(([first, rest]) => capSleeps([first, ...rest]));

/** Seconds a blocking op of the new areas takes on the whole-second grid (a 2s wait, then the next second). */
export const blockingOpSeconds = 3;

/** Drops sleeps and blocking ops past `sleepSecondsMax` in total, so that a sequence's wall time stays bounded. */
export function capSleeps(ops: ConsulOp[]): ConsulOp[] {
  let total = 0;
  return ops.filter((o) => {
    const seconds = o.op === "sleep" ? o.seconds : o.op === "blockMissing" || o.op === "blockInfo" ? blockingOpSeconds : 0;
    if (seconds === 0) return true;
    if (total + seconds > sleepSecondsMax) return false;
    total += seconds;
    return true;
  });
}
