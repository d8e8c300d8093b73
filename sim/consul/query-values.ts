import { goQuote } from "./go-duration.js";

/** Go's parsing and encoding of URL query values, because their error texts reach Consul's answers. */

const uint64Max = 2n ** 64n - 1n;

/**
 * Go's strconv.ParseUint(s, 10, 64): the number, or Go's error text. Values above 2^53 (such as
 * the Go client's LockFlagValue 0x2ddccbc058a50c18) are kept as the nearest double, which is what
 * a JSON reader on the client side sees anyway.
 */
export function parseUint(s: string): number | string {
  if (!/^\d+$/.test(s)) return `strconv.ParseUint: parsing ${goQuote(s)}: invalid syntax`;
  // Up to 15 digits is below 2^53, let alone 2^64: only longer ones need the exact comparison.
  if (s.length > 15 && BigInt(s) > uint64Max) return `strconv.ParseUint: parsing ${goQuote(s)}: value out of range`;
  return Number(s);
}

/** Go's url.Values.Encode: keys sorted, values query-escaped (Consul's "Conflicting flags" text). */
export function encodeQuery(query: Record<string, string>): string {
  return Object.keys(query)
    .sort()
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(query[k]!).replace(/%20/g, "+")}`)
    .join("&");
}
