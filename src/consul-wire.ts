import type { KvEntry, SessionCreateOptions, SessionEntry } from "./ports/consul-port.js";
import { msToGoDuration } from "./ports/consul-port.js";

/**
 * Conversions between Consul's JSON and the ConsulPort types, shared by the real and the simulated
 * adapters so that both read Consul's answers the same way.
 */

interface SessionJson {
  ID: string;
  Name?: string;
  Node?: string;
  Behavior?: "release" | "delete";
  TTL?: string;
  LockDelay?: number;
  NodeChecks?: string[] | null;
  CreateIndex?: number;
  ModifyIndex?: number;
}

interface EntryJson {
  Key: string;
  Value?: string | null;
  Flags?: number;
  LockIndex?: number;
  Session?: string;
  CreateIndex?: number;
  ModifyIndex?: number;
}

/** A session JSON object (as in session/info or renew) → SessionEntry. LockDelay is ns on the wire. */
export function sessionFromJson(o: SessionJson): SessionEntry {
  return {
    id: o.ID,
    name: o.Name ?? "",
    node: o.Node ?? "",
    behavior: o.Behavior ?? "release",
    ttl: o.TTL ?? "",
    lockDelayMs: (o.LockDelay ?? 0) / 1e6,
    nodeChecks: o.NodeChecks ?? null,
    createIndex: o.CreateIndex ?? 0,
    modifyIndex: o.ModifyIndex ?? 0,
  };
}

/** A KV entry JSON object → KvEntry. `decodeValue` says whether Value is still base64. */
export function entryFromJson(o: EntryJson, decodeValue: boolean): KvEntry {
  const raw = o.Value ?? null;
  return {
    key: o.Key,
    value: raw === null ? null : decodeValue ? Buffer.from(raw, "base64").toString("utf8") : raw,
    flags: o.Flags ?? 0,
    lockIndex: o.LockIndex ?? 0,
    session: o.Session || undefined,
    createIndex: o.CreateIndex ?? 0,
    modifyIndex: o.ModifyIndex ?? 0,
  };
}

/** The JSON body of session/create. Durations become Go strings so Consul's number quirk never bites. */
export function sessionCreateBody(options: SessionCreateOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (options.name !== undefined) body.Name = options.name;
  if (options.ttlMs !== undefined) body.TTL = msToGoDuration(options.ttlMs);
  if (options.behavior !== undefined) body.Behavior = options.behavior;
  if (options.lockDelayMs !== undefined) body.LockDelay = msToGoDuration(options.lockDelayMs);
  if (options.nodeChecks !== undefined) body.Checks = options.nodeChecks;
  return body;
}

/** Default time-out of a non-blocking call (ms): `defaultClientDeadline.callTimeoutMs` (src/client-deadline.ts). */
export const defaultCallTimeoutMs = 10_000;

/** Consul's default blocking wait when none is given (ms): 5 minutes (agent/consul/rpc.go, defaultQueryTime). */
export const defaultBlockingWaitMs = 300_000;

/**
 * Time-out of a blocking read under the default client deadline: the wait, its jitter (wait/16),
 * and a margin. Other clients differ: see ClientDeadline (src/client-deadline.ts).
 */
export function blockingTimeoutMs(waitMs: number | undefined): number {
  const w = waitMs ?? defaultBlockingWaitMs;
  return w + Math.ceil(w / 16) + defaultCallTimeoutMs;
}
