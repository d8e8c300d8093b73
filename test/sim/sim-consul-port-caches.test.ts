import { describe, expect, it } from "vitest";
import { sessionCreateBody } from "../../src/consul-wire.js";
import type { SessionCreateOptions } from "../../src/ports/consul-port.js";
import { readRequestPath } from "../../sim/consul/request-path.js";
import type { HttpRequest, HttpResponse } from "../../sim/consul/http-types.js";
import { pathParam, SimConsulPort } from "../../sim/sim-consul-port.js";

/** A port whose host records each request and answers `answer`. */
function recordingPort(answer: HttpResponse): { port: SimConsulPort; sent: HttpRequest[] } {
  const sent: HttpRequest[] = [];
  const host = {
    call: <Res>(_service: string, request: unknown): Promise<Res> => {
      sent.push(request as HttpRequest);
      return Promise.resolve(answer as Res);
    },
  };
  return { port: new SimConsulPort(host), sent };
}

describe("SimConsulPort's kept bodies and paths", () => {
  it("sends the same create body as an uncached encoding, for every option set, twice", async () => {
    const { port, sent } = recordingPort({ status: 200, body: '{"ID":"x"}\n', headers: {} });
    const optionSets: SessionCreateOptions[] = [
      {},
      { ttlMs: 15_000 },
      { lockDelayMs: 15_000 },
      { ttlMs: 15_000, lockDelayMs: 0, behavior: "delete", name: "a b" },
      { ttlMs: 15_000, lockDelayMs: 0, behavior: "release", name: "a b" },
      { name: "=15000" },
      { name: "-" },
      { ttlMs: 10_000, nodeChecks: [] },
      { ttlMs: 10_000, nodeChecks: ["serfHealth"] },
    ];
    for (const round of [0, 1]) {
      for (const options of optionSets) {
        await port.sessionCreate(options);
        expect(sent.at(-1)!.body, `round ${round}: ${JSON.stringify(options)}`).toBe(JSON.stringify(sessionCreateBody(options)));
      }
    }
  });

  it("sends each key's and session's path percent-encoded, the same on every call", async () => {
    const { port, sent } = recordingPort({ status: 200, body: "true\n", headers: {} });
    for (const key of ["service/t1/leader", "a%b?c", "ü/x", "service/t1/leader"]) {
      await port.kvPut(key, "v", {});
      expect(sent.at(-1)!.path).toBe(`/v1/kv/${pathParam(key)}`);
    }
    await port.sessionDestroy("0a1b2c3d-0000-0000-0000-000000000000");
    expect(sent.at(-1)!.path).toBe("/v1/session/destroy/0a1b2c3d-0000-0000-0000-000000000000");
  });
});

describe("readRequestPath's kept readings", () => {
  it("answers a repeated path as the first time, and never keeps a 301 or 400", () => {
    for (const round of [0, 1]) {
      expect(readRequestPath({ method: "GET", path: "/v1/kv/e%2Fa%2Fb" }), `round ${round}`).toEqual({ path: "/v1/kv/e/a/b" });
      expect(readRequestPath({ method: "GET", path: "/v1/kv/e/a%zzb" }), `round ${round}`).toMatchObject({ response: { status: 400 } });
      expect(readRequestPath({ method: "PUT", path: "/v1/kv/e/a%2F%2Fb" }), `round ${round}`).toMatchObject({ response: { status: 301, headers: { location: "/v1/kv/e/a/b" } } });
    }
  });
});
