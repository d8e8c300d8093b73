import { describe, expect, it } from "vitest";
import { LocksimError } from "../../src/errors.js";
import { DecodeError, RoutePatternError, RpcError } from "../../sim/consul/consul-errors.js";
import { HttpRouter, route } from "../../sim/consul/http-router.js";
import type { HttpRequest } from "../../sim/consul/http-types.js";
import { json } from "../../sim/consul/http-replies.js";
import { ModelTarget } from "./consul-target.js";

const plain = { "content-type": "text/plain; charset=utf-8" };

/** A router whose handlers answer with what they were given. */
function echoRouter(): HttpRouter {
  return new HttpRouter([
    route(["GET"], "/v1/kv/*key", (_req, p) => json(200, { row: "kv-get", key: p.key })),
    route(["PUT"], "/v1/kv/*key", (_req, p) => json(200, { row: "kv-put", key: p.key })),
    route(["DELETE"], "/v1/kv/*key", (_req, p) => json(200, { row: "kv-delete", key: p.key })),
    route(["PUT"], "/v1/session/create", () => json(200, { row: "create" })),
    route(["PUT"], "/v1/session/renew/*id", (_req, p) => json(200, { row: "renew", id: p.id })),
  ]);
}

function send(router: HttpRouter, method: HttpRequest["method"], path: string): { status: number; body: unknown; headers: Record<string, string> } {
  const res = router.route({ method, path });
  if (res instanceof Promise) throw new Error("echo handlers answer at once");
  return { status: res.status, body: res.status === 200 ? JSON.parse(res.body) : res.body, headers: res.headers };
}

describe("the model's HTTP router", () => {
  it("dispatches on method and path, with the rest of the path as a named parameter", () => {
    const r = echoRouter();
    expect(send(r, "GET", "/v1/kv/service/t1/leader").body).toEqual({ row: "kv-get", key: "service/t1/leader" });
    expect(send(r, "PUT", "/v1/kv/a%2Fb").body).toEqual({ row: "kv-put", key: "a%2Fb" });
    expect(send(r, "DELETE", "/v1/kv/").body).toEqual({ row: "kv-delete", key: "" });
    expect(send(r, "PUT", "/v1/session/create").body).toEqual({ row: "create" });
    expect(send(r, "PUT", "/v1/session/renew/").body).toEqual({ row: "renew", id: "" });
  });

  it("answers 404 for a path no row matches (an exact path does not match longer or shorter ones)", () => {
    const r = echoRouter();
    for (const path of ["/v1/nope", "/v1/kvx", "/v1/session/create/x", "/v1/session/renewal", "/"]) {
      expect(send(r, "PUT", path), path).toEqual({ status: 404, body: "", headers: {} });
    }
  });

  it("answers 405 with Consul's text and Allow header for a known path asked with another method", () => {
    const r = echoRouter();
    expect(send(r, "GET", "/v1/session/create")).toEqual({ status: 405, body: "method GET not allowed", headers: { ...plain, allow: "OPTIONS,PUT" } });
    expect(send(r, "DELETE", "/v1/session/renew/x")).toEqual({ status: 405, body: "method DELETE not allowed", headers: { ...plain, allow: "OPTIONS,PUT" } });
  });

  it("lists every method the path is served with, in table order, once each", () => {
    const r = new HttpRouter([
      route(["GET"], "/v1/x", () => json(200, "get")),
      route(["PUT", "GET"], "/v1/x", () => json(200, "put")),
    ]);
    expect(send(r, "DELETE", "/v1/x").headers.allow).toBe("OPTIONS,GET,PUT");
    expect(send(r, "PUT", "/v1/x").body).toBe("put");
  });

  it("refuses a pattern it cannot read when the table is built", () => {
    for (const pattern of ["v1/kv", "/v1/kv*key", "/v1/*id/x", "/v1/kv/*"]) {
      const build = (): HttpRouter => new HttpRouter([route(["GET"], pattern, () => json(200, null))]);
      expect(build, pattern).toThrow(RoutePatternError);
    }
  });
});

describe("the model's routing table", () => {
  it("answers 405 for Consul's endpoints asked with a method Consul does not register (measured on 1.8.7)", async () => {
    const t = new ModelTarget("routes-405");
    const cases: [HttpRequest["method"], string, string][] = [
      ["GET", "/v1/session/create", "OPTIONS,PUT"],
      ["GET", "/v1/session/destroy/x", "OPTIONS,PUT"],
      ["DELETE", "/v1/session/renew/x", "OPTIONS,PUT"],
      ["PUT", "/v1/session/info/x", "OPTIONS,GET"],
      ["DELETE", "/v1/session/list", "OPTIONS,GET"],
      ["PUT", "/v1/status/leader", "OPTIONS,GET"],
      ["GET", "/v1/agent/check/register", "OPTIONS,PUT"],
      ["GET", "/v1/agent/check/pass/x", "OPTIONS,PUT"],
    ];
    for (const [method, path, allow] of cases) {
      const res = await t.request({ method, path });
      expect({ status: res.status, body: res.body, allow: res.headers.allow }, `${method} ${path}`).toEqual({ status: 405, body: `method ${method} not allowed`, allow });
    }
  });

  it("answers 404 with an empty body and no content type for paths Consul does not register (measured on 1.8.7)", async () => {
    const t = new ModelTarget("routes-404");
    for (const path of ["/v1/nope", "/v1/session", "/v1/agent/check/bogus/x", "/v1/agent/check/register/x", "/v1/session/list/x"]) {
      const res = await t.request({ method: "PUT", path });
      expect({ status: res.status, body: res.body, headers: res.headers }, path).toEqual({ status: 404, body: "", headers: {} });
    }
  });

  it("redirects a prefix path without its slash, as ServeMux does (measured: PUT /v1/kv → 301 Location: /v1/kv/)", async () => {
    const t = new ModelTarget("routes-301");
    const res = await t.request({ method: "PUT", path: "/v1/kv" });
    expect({ status: res.status, body: res.body, location: res.headers.location }).toEqual({ status: 301, body: "", location: "/v1/kv/" });
  });
});

describe("the model's errors", () => {
  it("are LocksimErrors that keep Consul's text as their message", () => {
    const rpc = new RpcError("missing session", { key: "k" });
    expect(rpc).toBeInstanceOf(LocksimError);
    expect([rpc.name, rpc.message, rpc.context]).toEqual(["RpcError", "missing session", { key: "k" }]);
    expect(new DecodeError("unexpected EOF")).toBeInstanceOf(LocksimError);
  });
});
