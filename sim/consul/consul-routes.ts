import type { AgentChecks } from "./agent-checks.js";
import { json } from "./http-replies.js";
import { route, type Route } from "./http-router.js";
import type { KvEndpoints } from "./kv-endpoints.js";
import type { SessionEndpoints } from "./session-endpoints.js";
import type { TxnEndpoint } from "./txn-endpoint.js";

/** The endpoints the routing table dispatches to. */
export interface ConsulEndpoints {
  sessions: SessionEndpoints;
  kv: KvEndpoints;
  checks: AgentChecks;
  /** PUT /v1/txn (sim/consul/txn-endpoint.ts). */
  txn: TxnEndpoint;
}

/** The address /v1/status/leader reports: a dev agent's server RPC address. */
const leaderAddress = "127.0.0.1:8300";

/**
 * The model's routing table: the paths and methods Consul 1.8.7 registers for them
 * (agent/http_oss.go), limited to what the lock harness uses. A known path asked with another
 * method gets 405 (measured: `PUT /v1/session/info/x` → `Allow: OPTIONS,GET`); an unknown one 404.
 */
export function consulRoutes({ sessions, kv, checks, txn }: ConsulEndpoints): Route[] {
  // The path arrives decoded (request-path.ts): the key is the rest of it, as Consul takes it.
  const key = (rest: string): string => rest;
  return [
    route(["GET"], "/v1/kv/*key", (req, p) => kv.get(key(p.key), req.query ?? {})),
    route(["PUT"], "/v1/kv/*key", (req, p) => kv.put(key(p.key), req.query ?? {}, req.body)),
    route(["DELETE"], "/v1/kv/*key", (req, p) => kv.delete(key(p.key), req.query ?? {})),
    route(["PUT"], "/v1/session/create", (req) => sessions.create(req.body)),
    route(["PUT"], "/v1/session/destroy/*id", (_req, p) => sessions.destroy(p.id)),
    route(["PUT"], "/v1/session/renew/*id", (_req, p) => sessions.renew(p.id)),
    route(["GET"], "/v1/session/info/*id", (req, p) => sessions.info(p.id, req.query ?? {})),
    route(["GET"], "/v1/session/list", (req) => sessions.list(req.query ?? {})),
    route(["PUT"], "/v1/agent/check/register", (req) => checks.register(req.body)),
    route(["PUT"], "/v1/agent/check/deregister/*id", (_req, p) => checks.deregister(p.id)),
    route(["PUT"], "/v1/agent/check/pass/*id", (_req, p) => checks.update(p.id, "passing")),
    route(["PUT"], "/v1/agent/check/warn/*id", (_req, p) => checks.update(p.id, "warning")),
    route(["PUT"], "/v1/agent/check/fail/*id", (_req, p) => checks.update(p.id, "critical")),
    route(["GET"], "/v1/status/leader", () => json(200, leaderAddress)),
    // An exact path: /v1/txn/anything is a 404 (measured); other methods get 405 `Allow: OPTIONS,PUT`.
    route(["PUT"], "/v1/txn", (req) => txn.handle(req.query ?? {}, req.body)),
  ];
}
