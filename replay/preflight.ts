import { randomUUID } from "node:crypto";
import { ConsulUnavailableError, InputError } from "../src/errors.js";
import { consulRequest, type ConsulAnswer, type ConsulHttpTarget } from "./consul-http.js";
import { sleep } from "./consul-provider.js";

/** Options of preflightConsul. */
export interface PreflightOptions {
  addr: string;
  /** ACL token to check (CONSUL_HTTP_TOKEN). Never printed. Default: none. */
  token?: string | undefined;
  /**
   * Also check that the token may create a session and write a key, as a real run's workers do
   * (a session and a key are created and removed at once). Default true; cleanup's dry run says false.
   */
  write?: boolean;
  /** Budget for the whole check (ms). Default 2,000. */
  budgetMs?: number;
}

/** What the preflight saw. */
export interface PreflightResult {
  /** The leader's address, as /v1/status/leader names it. */
  leader: string;
  /** How long the check took (ms). */
  tookMs: number;
}

/**
 * Checks, before a real run, that the agent at `addr` answers, has a leader and accepts the token,
 * so that a refusal is a clear InputError (exit 2) within about `budgetMs`, showing Consul's own
 * message, instead of a slow failure in the middle of a run. Consul answers GET /v1/status/leader
 * without a token and an empty string while there is no leader; with ACLs on, an unknown token is
 * 403 "ACL not found" on any KV read, and a token without rights is 403 "Permission denied" on a
 * write (an anonymous read is filtered to 404 instead, so only a write tells).
 */
export async function preflightConsul(options: PreflightOptions): Promise<PreflightResult> {
  const started = performance.now();
  const deadline = started + (options.budgetMs ?? 2_000);
  const target = (): ConsulHttpTarget => ({ addr: options.addr, token: options.token, timeoutMs: Math.max(500, deadline - performance.now()) });
  const refuse = (what: string, a: ConsulAnswer): never => {
    throw new InputError(redact(`Consul at ${options.addr} refused ${what}: ${a.status} ${a.text.trim()}${a.status === 403 ? ` (check CONSUL_HTTP_TOKEN${options.token ? "" : ", which is not set"})` : ""}`, options.token), { addr: options.addr, status: a.status });
  };
  const ask = async (method: "GET" | "PUT" | "DELETE", path: string, body?: unknown): Promise<ConsulAnswer> => {
    try {
      return await consulRequest(target(), method, path, body);
    } catch (error) {
      if (!(error instanceof ConsulUnavailableError)) throw error;
      throw new InputError(redact(`no Consul agent answers at ${options.addr}: ${error.message}`, options.token), { addr: options.addr });
    }
  };
  let leader = "";
  for (;;) {
    const a = await ask("GET", "/v1/status/leader");
    if (a.status !== 200) refuse("GET /v1/status/leader", a);
    leader = String(parseAnswer(a, options.addr) ?? "");
    if (leader) break;
    if (performance.now() + 100 > deadline) throw new InputError(`Consul at ${options.addr} answers but has no leader (GET /v1/status/leader is ""): its servers have not elected one`, { addr: options.addr });
    await sleep(100);
  }
  const read = await ask("GET", "/v1/kv/locksim-replay/?keys");
  if (read.status !== 200 && read.status !== 404) refuse("a KV read", read);
  if (options.write ?? true) await probeWrites(ask, refuse);
  return { leader, tookMs: Math.round(performance.now() - started) };
}

/** Creates a session and acquires a key with it, then removes both: what every worker does first. */
async function probeWrites(ask: (method: "GET" | "PUT" | "DELETE", path: string, body?: unknown) => Promise<ConsulAnswer>, refuse: (what: string, a: ConsulAnswer) => never): Promise<void> {
  const created = await ask("PUT", "/v1/session/create", { Name: "locksim-preflight", TTL: "10s", Behavior: "delete", LockDelay: "0s" });
  if (created.status !== 200) refuse("a session create", created);
  const id = (parseAnswer(created, "the agent") as { ID?: string } | null)?.ID ?? "";
  const key = `locksim-replay/preflight-${randomUUID()}`;
  try {
    const put = await ask("PUT", `/v1/kv/${key}?acquire=${id}`);
    if (put.status !== 200) refuse(`a KV write under locksim-replay/`, put);
  } finally {
    await ask("DELETE", `/v1/kv/${key}`).catch(() => undefined);
    await ask("PUT", `/v1/session/destroy/${id}`).catch(() => undefined);
  }
}

/** Consul's JSON answer; anything else means the address is not a Consul agent's HTTP API. */
function parseAnswer(a: ConsulAnswer, addr: string): unknown {
  try {
    return JSON.parse(a.text) as unknown;
  } catch {
    throw new InputError(`the answer at ${addr} is not Consul's (not JSON: ${JSON.stringify(a.text.slice(0, 80))}); is this a Consul agent's HTTP address?`, { addr });
  }
}

/** Removes the token from a message, whatever Consul echoed back. */
function redact(message: string, token: string | undefined): string {
  return token && token.length >= 4 ? message.split(token).join("<CONSUL_HTTP_TOKEN>") : message;
}
