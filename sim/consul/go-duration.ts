/**
 * Go's `time.ParseDuration`, because Consul parses TTL, LockDelay and `wait` with it and its error
 * texts reach the HTTP body verbatim (consul-semantics.md §1: `time: missing unit in duration "10"`).
 */
import { BoundedCache } from "./bounded-cache.js";

const unitNs: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  "µs": 1_000n, // U+00B5 micro sign
  "μs": 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const int64Max = 2n ** 63n - 1n;

/**
 * A parse result: nanoseconds (as a number, and exactly, since Consul prints int64 nanoseconds in
 * its messages: `Invalid Session TTL '9223372036854775807'`), or Go's error text.
 */
export type DurationParse = { ok: true; ns: number; nsExact: bigint } | { ok: false; error: string };

/** Go's strconv.Quote for the ASCII strings we see here. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go's leadingInt: the digits, or undefined when they overflow int64. */
function leadingInt(digits: string): bigint | undefined {
  let x = 0n;
  for (const c of digits) {
    if (x > int64Max / 10n) return undefined;
    x = x * 10n + BigInt(c.charCodeAt(0) - 48);
    if (x > int64Max) return undefined;
  }
  return x;
}

/** Go's leadingFraction: the digits that fit in an int64, and 10^(their count) as a float. */
function leadingFraction(digits: string): { f: bigint; scale: number } {
  let f = 0n;
  let scale = 1;
  for (const c of digits) {
    if (f > int64Max / 10n) break;
    const y = f * 10n + BigInt(c.charCodeAt(0) - 48);
    if (y > int64Max) break;
    f = y;
    scale *= 10;
  }
  return { f, scale };
}

/** Parses by input: a run parses the same few strings ("15s", "5s") for every session and read. */
const parsedDurations = new BoundedCache<string, DurationParse>(256);

/**
 * Go 1.15's time.ParseDuration ("1h2m", "10.5s", "-5s", "0"), overflow included: a duration past
 * int64 nanoseconds (about 2,562,047h) is `time: invalid duration` (measured on 1.8.7:
 * `{"TTL":"2562048h"}` → 500 `Session TTL '2562048h' invalid: time: invalid duration "2562048h"`).
 * The result is frozen: it may be shared with earlier callers that parsed the same input.
 */
export function parseGoDuration(input: string): DurationParse {
  const cached = parsedDurations.get(input);
  if (cached) return cached;
  return parsedDurations.set(input, Object.freeze(parse(input)));
}

function parse(input: string): DurationParse {
  const bad = (): DurationParse => ({ ok: false, error: `time: invalid duration ${goQuote(input)}` });
  let s = input;
  let negative = false;
  if (s.startsWith("-") || s.startsWith("+")) {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return { ok: true, ns: 0, nsExact: 0n };
  if (s === "") return bad();
  let total = 0n;
  while (s !== "") {
    const num = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const whole = num[1] ?? "";
    const frac = num[2];
    if (!(s[0] === "." || (s[0]! >= "0" && s[0]! <= "9"))) return bad();
    if (whole === "" && (frac === undefined || frac === "")) return bad();
    const v0 = leadingInt(whole);
    if (v0 === undefined) return bad();
    s = s.slice(num[0].length);
    const unit = /^[^\d.]*/.exec(s)![0];
    if (unit === "") return { ok: false, error: `time: missing unit in duration ${goQuote(input)}` };
    const scale = unitNs[unit];
    if (scale === undefined) return { ok: false, error: `time: unknown unit ${goQuote(unit)} in duration ${goQuote(input)}` };
    s = s.slice(unit.length);
    if (v0 > int64Max / scale) return bad();
    let v = v0 * scale;
    const { f, scale: fracScale } = leadingFraction(frac ?? "");
    if (f > 0n) {
      // Go adds int64(float64(f) * (float64(unit) / scale)): a float product, truncated.
      v += BigInt(Math.trunc(Number(f) * (Number(scale) / fracScale)));
      if (v > int64Max) return bad();
    }
    total += v;
    if (total > int64Max) return bad();
  }
  const nsExact = negative ? -total : total;
  return { ok: true, ns: Number(nsExact), nsExact };
}
