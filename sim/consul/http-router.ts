import { RoutePatternError } from "./consul-errors.js";
import { methodNotAllowed, notFound } from "./http-replies.js";
import { movedPermanently } from "./request-path.js";
import type { HttpRequest, HttpResponse } from "./http-types.js";

/** An HTTP method the model serves. */
export type HttpMethod = HttpRequest["method"];

/** A handler's answer: now, or later (blocking queries, requests held while there is no leader). */
export type Reply = HttpResponse | Promise<HttpResponse>;

/**
 * The parameters a pattern names: `"/v1/kv/*key"` gives `{ key: string }`, a pattern without `*`
 * gives none. Typed from the pattern so that a handler cannot read a parameter its row lacks.
 */
export type RouteParams<P extends string> = P extends `${string}*${infer Name}` ? { readonly [K in Name]: string } : Record<never, never>;

/** One row of a routing table: the methods and path it serves, and its handler. */
export interface Route {
  /** Methods this row answers, in the order Consul registers them (they make up the 405's Allow). */
  readonly methods: readonly HttpMethod[];
  /** The path pattern (see `route`). */
  readonly pattern: string;
  readonly handler: (req: HttpRequest, params: Readonly<Record<string, string>>) => Reply;
}

/**
 * A row of the table. `pattern` is a literal path, or a literal prefix ending in `/*name`: then the
 * rest of the path (possibly empty, slashes included, not decoded) is the parameter `name`. These
 * are Go's ServeMux prefix patterns ("/v1/kv/") as Consul registers them, with a name for the rest.
 */
export function route<P extends string>(methods: readonly HttpMethod[], pattern: P, handler: (req: HttpRequest, params: RouteParams<P>) => Reply): Route {
  return { methods, pattern, handler: handler as Route["handler"] };
}

interface CompiledRoute {
  route: Route;
  /** The literal part: the whole path, or the prefix before the rest parameter. */
  literal: string;
  /** The rest parameter's name; undefined for an exact path. */
  restName: string | undefined;
}

const patternSyntax = /^(\/[^*]*?)(?:(?<=\/)\*([A-Za-z][A-Za-z0-9]*))?$/;

/** Parsed patterns: every simulated run builds a model, and with it the same routing table. */
const parsedPatterns = new Map<string, Omit<CompiledRoute, "route">>();

function compile(route: Route): CompiledRoute {
  let parsed = parsedPatterns.get(route.pattern);
  if (!parsed) {
    const m = patternSyntax.exec(route.pattern);
    if (!m) {
      throw new RoutePatternError(`route pattern ${JSON.stringify(route.pattern)} is not a literal path or a prefix ending in /*name`, {
        pattern: route.pattern,
      });
    }
    parsed = { literal: m[1]!, restName: m[2] };
    // Patterns are written in code, not taken from input: a handful, so no bound is needed.
    parsedPatterns.set(route.pattern, parsed);
  }
  return { route, literal: parsed.literal, restName: parsed.restName };
}

function matches(compiled: CompiledRoute, path: string): boolean {
  return compiled.restName === undefined ? path === compiled.literal : path.startsWith(compiled.literal);
}

/**
 * The parameters of a path that `matches` the row. The names the model's table uses get object
 * literals with a fixed shape: a computed name (`{ [name]: rest }`) goes through the runtime on
 * every request (callgrind: Runtime_DefineKeyedOwnPropertyInLiteral, ~1% of a generated fenced run).
 */
function params(compiled: CompiledRoute, path: string): Record<string, string> {
  if (compiled.restName === undefined) return {};
  const rest = path.slice(compiled.literal.length);
  if (compiled.restName === "key") return { key: rest };
  if (compiled.restName === "id") return { id: rest };
  return { [compiled.restName]: rest };
}

/**
 * Consul's HTTP mux over a routing table. The first row whose path matches and which serves the
 * method answers. A path that some row matches but none serves for this method gets 405 with an
 * Allow header (Consul's MethodNotAllowedError); a path no row matches gets 404.
 */
export class HttpRouter {
  private readonly routes: readonly CompiledRoute[];
  /** The prefix rows' literals without their trailing slash: the paths ServeMux redirects. */
  private readonly redirected: ReadonlySet<string>;
  /** The longest of them: a longer path (every KV and session request) needs no lookup. */
  private readonly redirectedLengthMax: number;

  constructor(routes: readonly Route[]) {
    // Push, not map: map inlined by TurboFan (a model is built per run) returns a HOLEY array, the
    // builtin a PACKED one, and route()'s loop over the rows deopted ("wrong map") on each flip.
    const compiled: CompiledRoute[] = [];
    for (const r of routes) compiled.push(compile(r));
    this.routes = compiled;
    this.redirected = new Set(this.routes.filter((c) => c.restName !== undefined).map((c) => c.literal.slice(0, -1)));
    this.redirectedLengthMax = Math.max(0, ...[...this.redirected].map((p) => p.length));
  }

  /**
   * Answers `req` (its path already decoded) with its row's handler, or 404/405. A path that is a
   * prefix row without its trailing slash (`/v1/kv`) is redirected there, as ServeMux does
   * (measured: `GET /v1/kv` → 301 `Location: /v1/kv/`). Handler errors propagate.
   */
  route(req: HttpRequest): Reply {
    if (req.path.length <= this.redirectedLengthMax && this.redirected.has(req.path)) return movedPermanently(req.method, `${req.path}/`, req.query);
    const allowed: HttpMethod[] = [];
    for (const compiled of this.routes) {
      if (!matches(compiled, req.path)) continue;
      if (compiled.route.methods.includes(req.method)) return compiled.route.handler(req, params(compiled, req.path));
      for (const m of compiled.route.methods) if (!allowed.includes(m)) allowed.push(m);
    }
    return allowed.length === 0 ? notFound() : methodNotAllowed(req.method, allowed);
  }
}
