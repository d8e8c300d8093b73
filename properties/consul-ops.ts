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
  | { op: "sleep"; seconds: number };

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
  { weight: 4, arbitrary: fc.record({ op: fc.constant("sleep" as const), seconds: fc.constantFrom(1, 1, 2, 2, 3, 21) }) },
);

/** A sequence: starts with a session so that lock calls have something to work with. */
export const consulSequenceArb: fc.Arbitrary<ConsulOp[]> = fc
  .tuple(consulOpArb.filter((o) => o.op === "create"), fc.array(consulOpArb, { minLength: 4, maxLength: 18 }))
  .map(([first, rest]) => capSleeps([first, ...rest]));

/** Drops sleeps past `sleepSecondsMax` in total. */
export function capSleeps(ops: ConsulOp[]): ConsulOp[] {
  let total = 0;
  return ops.filter((o) => {
    if (o.op !== "sleep") return true;
    if (total + o.seconds > sleepSecondsMax) return false;
    total += o.seconds;
    return true;
  });
}
