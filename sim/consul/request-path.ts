import { BoundedCache } from "./bounded-cache.js";
import type { HttpResponse } from "./http-types.js";

/**
 * How Consul's HTTP server reads a request path before any handler sees it: Go's net/http
 * percent-decodes it (`req.URL.Path`; a bad escape is refused with 400 before routing), and
 * ServeMux redirects (301) to the cleaned path when the path has `//`, `/./` or `/../` in it.
 * Handlers then take the key or session id from the decoded path (agent/kvs_endpoint.go
 * `strings.TrimPrefix(req.URL.Path, "/v1/kv/")`). Measured on 1.8.7: `/v1/kv/e/a%2Fb` is the key
 * `e/a/b`, `%25` is `%`, `%3F` is `?`; `/v1/kv/e/a%2F%2Fb` and `/v1/kv/%2Fe` answer 301 with
 * `Location: /v1/kv/e/a/b` and `/v1/kv/e`; `/v1/kv/e/a%zzb` answers 400 `400 Bad Request`.
 */

/** The decoded path, or the answer Consul gives instead of routing. */
export type PathReading = { path: string } | { response: HttpResponse };

/** net/http's answer to a request line it cannot parse (written by the server, not a handler). */
function badRequest(): HttpResponse {
  return { status: 400, body: "400 Bad Request", headers: { "content-type": "text/plain; charset=utf-8", connection: "close" } };
}

/** A UTF-16 unit beyond ASCII. Its absence is /^\p{ASCII}*$/u's answer, found without a `u` regex, more cheaply. */
const nonAscii = /[\u0080-\uffff]/;

/**
 * Go's url.PathUnescape: `%XX` becomes the byte XX; `+` stays `+`. Bytes that are not UTF-8 become
 * U+FFFD, which is also what Go's JSON encoder prints for them, so answers read the same.
 */
export function pathUnescape(raw: string): string | undefined {
  if (!raw.includes("%")) return raw;
  // Every path the simulated clients send is ASCII with well-formed escapes of UTF-8 (pathParam):
  // decodeURIComponent gives the same string then, and throws for everything else (a bad escape,
  // bytes that are not UTF-8), which the byte-wise decoding below answers as Go does.
  if (!nonAscii.test(raw)) {
    try {
      return decodeURIComponent(raw);
    } catch {
      // fall through
    }
  }
  const bytes: number[] = [];
  const source = Buffer.from(raw, "utf8");
  for (let i = 0; i < source.length; i++) {
    const b = source[i]!;
    if (b !== 0x25) {
      bytes.push(b);
      continue;
    }
    const hex = source.subarray(i + 1, i + 3).toString("latin1");
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Go's path.Clean: one slash between segments, no `.`, `..` resolved, no trailing slash. */
function goPathClean(p: string): string {
  const out: string[] = [];
  for (const segment of p.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") out.pop();
    else out.push(segment);
  }
  return `/${out.join("/")}`;
}

/** net/http's cleanPath: path.Clean, keeping a trailing slash. */
export function cleanPath(p: string): string {
  if (p === "") return "/";
  const rooted = p.startsWith("/") ? p : `/${p}`;
  const cleaned = goPathClean(rooted);
  return rooted.endsWith("/") && cleaned !== "/" ? `${cleaned}/` : cleaned;
}

/**
 * Go's url.URL.EscapedPath for a path that is not its raw form: every byte but letters, digits,
 * `-_.~` and `$&+,/:;=@` is percent-encoded (upper-case hex).
 */
export function escapePath(p: string): string {
  let out = "";
  for (const b of Buffer.from(p, "utf8")) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-_.~$&+,/:;=@]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The query as the client sent it, for a Location header: flags bare, values URL-encoded. */
function rawQuery(query: Record<string, string> | undefined): string {
  const parts = Object.entries(query ?? {}).map(([k, v]) => (v === "" ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`));
  return parts.length > 0 ? `?${parts.join("&")}` : "";
}

/**
 * Go's http.Redirect with 301: a Location header; GET also gets a small HTML body (and a
 * content type), other methods get none.
 */
export function movedPermanently(method: string, path: string, query: Record<string, string> | undefined): HttpResponse {
  const location = `${escapePath(path)}${rawQuery(query)}`;
  if (method !== "GET") return { status: 301, body: "", headers: { location } };
  const href = location.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&#34;").replaceAll("'", "&#39;");
  return { status: 301, body: `<a href="${href}">Moved Permanently</a>.\n\n`, headers: { "content-type": "text/html; charset=utf-8", location } };
}

/**
 * A rooted path that cleanPath leaves as it is: no empty, `.` or `..` segment but a trailing empty
 * one (most paths; the check spares splitting and joining each).
 */
const uncleanSegment = /\/\/|\/\.\.?(?:\/|$)/;

/**
 * Raw paths that read cleanly → their reading, shared by every model in the process: clients send
 * the same paths again and again (the same path strings, sim-consul-port.ts), and decoding and
 * checking one cost ~0.5% of a generated fenced run (callgrind). The answer depends only on the
 * path; bounded, as paths are input. Readings are frozen.
 */
const cleanReadings = new BoundedCache<string, PathReading>(4_096);

/** Decodes a raw request path as net/http and ServeMux do: the path to route, or 400 / 301. */
export function readRequestPath(req: { method: string; path: string; query?: Record<string, string> }): PathReading {
  const cached = cleanReadings.get(req.path);
  if (cached) return cached;
  const reading = readUncached(req);
  // Only a path to route is kept: a 400 or 301 depends on the method and query too.
  return "path" in reading ? cleanReadings.set(req.path, Object.freeze(reading)) : reading;
}

function readUncached(req: { method: string; path: string; query?: Record<string, string> }): PathReading {
  const decoded = pathUnescape(req.path);
  if (decoded === undefined) return { response: badRequest() };
  if (decoded.startsWith("/") && !uncleanSegment.test(decoded)) return { path: decoded };
  const cleaned = cleanPath(decoded);
  if (cleaned !== decoded) return { response: movedPermanently(req.method, cleaned, req.query) };
  return { path: decoded };
}
