/**
 * Go's `time.ParseDuration`, because Consul parses TTL, LockDelay and `wait` with it and its error
 * texts reach the HTTP body verbatim (consul-semantics.md §1: `time: missing unit in duration "10"`).
 */

const unitNs: Record<string, number> = {
  ns: 1,
  us: 1e3,
  "µs": 1e3, // U+00B5 micro sign
  "μs": 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** A parse result: nanoseconds, or Go's error text. */
export type DurationParse = { ok: true; ns: number } | { ok: false; error: string };

/** Go's strconv.Quote for the ASCII strings we see here. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Parses like Go's time.ParseDuration ("1h2m", "10.5s", "-5s", "0"). */
export function parseGoDuration(input: string): DurationParse {
  const bad = (): DurationParse => ({ ok: false, error: `time: invalid duration ${goQuote(input)}` });
  let s = input;
  let negative = false;
  if (s.startsWith("-") || s.startsWith("+")) {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return { ok: true, ns: 0 };
  if (s === "") return bad();
  let total = 0;
  while (s !== "") {
    const num = /^(\d*)(?:\.(\d*))?/.exec(s);
    const whole = num?.[1] ?? "";
    const frac = num?.[2];
    if (!num || (whole === "" && (frac === undefined || frac === ""))) return bad();
    s = s.slice(num[0].length);
    const unitMatch = /^[^\d.]*/.exec(s);
    const unit = unitMatch ? unitMatch[0] : "";
    if (unit === "") return { ok: false, error: `time: missing unit in duration ${goQuote(input)}` };
    const scale = unitNs[unit];
    if (scale === undefined) return { ok: false, error: `time: unknown unit ${goQuote(unit)} in duration ${goQuote(input)}` };
    s = s.slice(unit.length);
    const value = Number(`${whole || "0"}.${frac || "0"}`);
    total += Math.trunc(value * scale);
  }
  return { ok: true, ns: negative ? -total : total };
}

