import { DecodeError } from "./consul-errors.js";
import { parseGoDuration } from "./go-duration.js";

/** The decoded body of PUT /v1/session/create, before server-side validation. */
export interface SessionCreateBody {
  name: string;
  node: string;
  ttl: string;
  behavior: string;
  lockDelayNs: number;
  /** undefined: the key was absent (Consul then defaults Checks to serfHealth). */
  checks: string[] | null | undefined;
  nodeChecks: string[] | null | undefined;
  serviceChecks: { ID: string; Namespace: string }[] | null | undefined;
}


/** Consul's lockDelayMinThreshold: numbers below it are taken as seconds (§1 LockDelay quirk). */
const lockDelayMinThresholdNs = 1000n;

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (v === null) return "null";
  return typeof v === "object" ? "object" : typeof v === "boolean" ? "bool" : typeof v;
}

/** Go's encoding/json error for the first bad character of a body that is not JSON. */
function goJsonSyntaxError(body: string): string {
  const s = body.trimStart();
  const literals: Record<string, string> = { n: "null", t: "true", f: "false" };
  const first = s[0] ?? "";
  const literal = literals[first];
  if (literal) {
    for (let i = 1; i < literal.length; i++) {
      if (s[i] !== literal[i]) {
        return s[i] === undefined
          ? "unexpected EOF"
          : `invalid character '${s[i]}' in literal ${literal} (expecting '${literal[i]}')`;
      }
    }
  }
  return `invalid character '${first}' looking for beginning of value`;
}

/** What `field` answers for a field the body does not have. */
const absent: unique symbol = Symbol("absent");

/** Finds a field case-insensitively, as Go's encoding/json does (exact match first); `absent` if none. */
function field(raw: Record<string, unknown>, name: string): unknown {
  if (name in raw) return raw[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(raw)) if (k.toLowerCase() === lower) return raw[k];
  return absent;
}

function stringField(raw: Record<string, unknown>, name: string, fallback: string): string {
  const value = field(raw, name);
  if (value === absent || value === undefined || value === null) return fallback;
  if (typeof value !== "string") {
    throw new DecodeError(`json: cannot unmarshal ${jsonKind(value)} into Go struct field .${name} of type string`, { field: name });
  }
  return value;
}

function stringListField(raw: Record<string, unknown>, name: string): string[] | null | undefined {
  const value = field(raw, name);
  if (value === absent) return undefined;
  if (value === null) return null;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new DecodeError(`json: cannot unmarshal ${jsonKind(value)} into Go struct field .${name} of type []string`, { field: name });
  }
  return value as string[];
}

/** Go's int64 arithmetic wraps: the product taken modulo 2^64, as a signed value. */
function wrapInt64(n: bigint): bigint {
  return BigInt.asIntN(64, n);
}

/**
 * Go's time.Duration(float64) on amd64: truncation, and the "integer indefinite" value (-2^63)
 * for a float outside int64's range (Go leaves this implementation-defined; x86's CVTTSD2SI gives it).
 */
function float64ToInt64(v: number): bigint {
  if (!Number.isFinite(v) || Math.abs(v) >= 2 ** 63) return -(2n ** 63n);
  return BigInt(Math.trunc(v));
}

/**
 * FixupLockDelay (agent/structs, 1.8): strings are Go durations, numbers (decoded as float64) are
 * ns; either below 1000 is multiplied by 1s in int64 arithmetic, which wraps. Measured on 1.8.7:
 * `9223372036854775807` and `1e30` become -2^63, times 1s wraps to 0; `1.5` is 1ns → 1s;
 * `"-2562047h"` is stored as -3943811543270948864; `"9999999999h"` → 400 `time: invalid duration`.
 */
function lockDelayField(raw: Record<string, unknown>, defaultNs: number): number {
  const value = field(raw, "LockDelay");
  let ns: bigint;
  if (typeof value === "string") {
    const parsed = parseGoDuration(value);
    if (!parsed.ok) throw new DecodeError(parsed.error, { field: "LockDelay" });
    ns = parsed.nsExact;
  } else if (typeof value === "number") {
    ns = float64ToInt64(value);
  } else if (typeof value === "boolean") {
    // Measured on 1.8.7: `{"LockDelay":true}` is stored as 0.
    return 0;
  } else {
    return defaultNs;
  }
  return Number(ns < lockDelayMinThresholdNs ? wrapInt64(ns * 1_000_000_000n) : ns);
}

/**
 * Decodes a session-create body as agent/session_endpoint.go does: an empty body gives the
 * defaults (LockDelay 15s, Behavior release, serfHealth); unknown fields are ignored.
 */
export function decodeSessionCreateBody(body: string | undefined, defaults: { node: string }): SessionCreateBody {
  const result: SessionCreateBody = {
    name: "",
    node: defaults.node,
    ttl: "",
    behavior: "release",
    lockDelayNs: 15e9,
    checks: undefined,
    nodeChecks: undefined,
    serviceChecks: undefined,
  };
  if (body === undefined || body.length === 0) return result;
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new DecodeError(goJsonSyntaxError(body), { body });
  }
  if (raw === null) return result;
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new DecodeError(`json: cannot unmarshal ${jsonKind(raw)} into Go value of type structs.Session`, { body });
  }
  const obj = raw as Record<string, unknown>;
  result.name = stringField(obj, "Name", result.name);
  result.node = stringField(obj, "Node", result.node);
  result.ttl = stringField(obj, "TTL", result.ttl);
  result.behavior = stringField(obj, "Behavior", "");
  result.lockDelayNs = lockDelayField(obj, result.lockDelayNs);
  result.checks = stringListField(obj, "Checks");
  result.nodeChecks = stringListField(obj, "NodeChecks");
  const services = field(obj, "ServiceChecks");
  if (services !== absent) {
    const v = services;
    if (v !== null && !Array.isArray(v)) {
      throw new DecodeError(`json: cannot unmarshal ${jsonKind(v)} into Go struct field .ServiceChecks of type []structs.ServiceCheck`, { field: "ServiceChecks" });
    }
    result.serviceChecks = v === null ? null : (v as { ID?: unknown }[]).map((c) => ({ ID: String(c?.ID ?? ""), Namespace: "" }));
  }
  return result;
}

/** The check lists a new session is stored with. */
export interface SessionChecks {
  /** The deprecated `Checks` list, printed only when not empty (omitempty). */
  checks: string[] | null;
  nodeChecks: string[] | null;
}

const serfHealth = "serfHealth";

/**
 * The check lists a new session gets: the agent starts from `Checks` and `NodeChecks` both set to
 * ["serfHealth"], the body's lists replace them (null included), then fixupEmptySessionChecks
 * (agent/session_endpoint.go, 1.8) runs: an empty `Checks` empties `NodeChecks`; a `Checks` equal
 * to the default is dropped; an empty `NodeChecks` drops `Checks`. Measured on 1.8.7:
 * `{"NodeChecks":null}` → NodeChecks null; `{"Checks":["c1"]}` → Checks ["c1"] and NodeChecks
 * ["serfHealth"] (the session depends on both); `{"Checks":[],"NodeChecks":["c1"]}` → NodeChecks [].
 */
export function resolveSessionChecks(body: Pick<SessionCreateBody, "checks" | "nodeChecks">): SessionChecks {
  const checks = body.checks === undefined ? [serfHealth] : body.checks;
  const nodeChecks = body.nodeChecks === undefined ? [serfHealth] : body.nodeChecks;
  if (checks === null || checks.length === 0) return { checks: null, nodeChecks: [] };
  if (checks.length === 1 && checks[0] === serfHealth) return { checks: null, nodeChecks: nodeChecks && [...nodeChecks] };
  if (nodeChecks === null || nodeChecks.length === 0) return { checks: null, nodeChecks: nodeChecks && [...nodeChecks] };
  return { checks: [...checks], nodeChecks: [...nodeChecks] };
}
