import type { KvRecord, SessionRecord } from "./consul-records.js";
import type { HttpResponse } from "./http-types.js";

/**
 * The shapes of Consul's HTTP answers as the model gives them: JSON and plain-text bodies, the
 * read headers, the router's 404 and 405, and the JSON of a session and of a KV entry.
 */

/** A JSON body as Consul's encoder writes it: it ends with a newline. */
export function jsonBody(value: unknown): string {
  // Most answers are a bare true or false (every KV write, delete and session destroy): their
  // bodies are constants, which spares a JSON.stringify call per write (measured with callgrind:
  // JSON.stringify costs ~3,000 instructions a call, even for a boolean).
  if (value === true) return "true\n";
  if (value === false) return "false\n";
  return `${JSON.stringify(value)}\n`;
}

/** A JSON answer. */
export function json(status: number, value: unknown, headers?: Record<string, string>): HttpResponse {
  return encodedJson(status, jsonBody(value), headers);
}

/** A JSON answer whose body is already encoded (by jsonBody). */
export function encodedJson(status: number, body: string, headers?: Record<string, string>): HttpResponse {
  const contentType = "application/json";
  return { status, body, headers: headers ? { "content-type": contentType, ...headers } : { "content-type": contentType } };
}

/** A plain-text answer, as Consul writes its errors (body verbatim, no trailing newline added). */
export function text(status: number, body: string, headers?: Record<string, string>): HttpResponse {
  const contentType = "text/plain; charset=utf-8";
  return { status, body, headers: headers ? { "content-type": contentType, ...headers } : { "content-type": contentType } };
}

/** The headers of a read: its index, and a leader that is known and just contacted. */
export function readHeaders(index: number): Record<string, string> {
  return { "x-consul-index": String(index), "x-consul-knownleader": "true", "x-consul-lastcontact": "0" };
}

/**
 * A path no route serves. Consul's own catch-all handler writes the bare status: an empty body and
 * no content type (measured on 1.8.7: `GET /v1/nothing` → 404, `Content-Length: 0`), not Go's
 * "404 page not found".
 */
export function notFound(): HttpResponse {
  return { status: 404, body: "", headers: {} };
}

/**
 * A path served only for other methods. Consul 1.8.7 lists OPTIONS first, then the route's methods
 * in the order it registered them (measured: `Allow: OPTIONS,PUT`, `Allow: OPTIONS,GET,PUT,DELETE`).
 */
export function methodNotAllowed(method: string, allowed: readonly string[]): HttpResponse {
  return text(405, `method ${method} not allowed`, { allow: ["OPTIONS", ...allowed].join(",") });
}

/** structs.Session as JSON, fields in Consul's order. */
export function sessionJson(s: SessionRecord): Record<string, unknown> {
  return {
    ID: s.id,
    Name: s.name,
    Node: s.node,
    LockDelay: s.lockDelayNs,
    Behavior: s.behavior,
    TTL: s.ttl,
    NodeChecks: s.nodeChecks,
    ServiceChecks: s.serviceChecks,
    // The deprecated Checks is omitempty, printed after ServiceChecks (measured on 1.8.7).
    ...(s.checks && s.checks.length > 0 ? { Checks: s.checks } : {}),
    CreateIndex: s.createIndex,
    ModifyIndex: s.modifyIndex,
  };
}

/**
 * The body of a single-key GET, `[entry]` as JSON, encoded once per stored entry: entries are
 * replaced, never changed, on every write (consul-state.ts), and a lock's key is read several
 * times per version (the token read, the lock monitor's reads).
 */
const entryListBodies = new WeakMap<KvRecord, string>();

/** `jsonBody([entryJson(e)])`, kept per stored entry (see entryListBodies). */
export function entryListBody(e: KvRecord): string {
  let body = entryListBodies.get(e);
  if (body === undefined) {
    body = jsonBody([entryJson(e)]);
    entryListBodies.set(e, body);
  }
  return body;
}

/** structs.DirEntry as JSON: `Session` is omitted when the key is unlocked (omitempty). */
export function entryJson(e: KvRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { LockIndex: e.lockIndex, Key: e.key, Flags: e.flags, Value: e.value };
  if (e.session !== "") out.Session = e.session;
  out.CreateIndex = e.createIndex;
  out.ModifyIndex = e.modifyIndex;
  return out;
}
