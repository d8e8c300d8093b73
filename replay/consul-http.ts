import { ConsulHttpError, ConsulUnavailableError } from "../src/errors.js";

/** Where and how to reach an agent over plain HTTP (cleanup, preflight, leftover scans). */
export interface ConsulHttpTarget {
  /** Agent base URL, e.g. "http://127.0.0.1:8500". */
  addr: string;
  /** ACL token, sent as X-Consul-Token and never printed. Default: none. */
  token?: string | undefined;
  /** Per-request time-out (ms). Default 5,000. */
  timeoutMs?: number;
}

/** One answer: Consul's status and body text, unchanged. */
export interface ConsulAnswer {
  status: number;
  text: string;
}

/**
 * One request to the agent's HTTP API. Transport failures and time-outs become
 * ConsulUnavailableError; any status is returned as Consul sent it (callers decide what is an error).
 */
export async function consulRequest(target: ConsulHttpTarget, method: "GET" | "PUT" | "DELETE", path: string, body?: unknown): Promise<ConsulAnswer> {
  const timeoutMs = Math.ceil(target.timeoutMs ?? 5_000);
  try {
    const res = await fetch(`${target.addr}${path}`, {
      method,
      headers: target.token ? { "x-consul-token": target.token } : {},
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, text: await res.text() };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = error instanceof Error && error.name === "TimeoutError" ? `no answer within ${timeoutMs}ms` : (cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error)));
    throw new ConsulUnavailableError({ operation: `${method} ${path.split("?")[0]}`, reason, timeoutMs });
  }
}

/** Like consulRequest, but a status other than 200 (or 404 when `allow404`) is a ConsulHttpError. */
export async function consulOk(target: ConsulHttpTarget, method: "GET" | "PUT" | "DELETE", path: string, options: { body?: unknown; allow404?: boolean } = {}): Promise<ConsulAnswer> {
  const answer = await consulRequest(target, method, path, options.body);
  if (answer.status === 200 || (options.allow404 && answer.status === 404)) return answer;
  throw new ConsulHttpError({ status: answer.status, body: answer.text, operation: `${method} ${path.split("?")[0]}` });
}

/** The keys under `prefix` (GET /v1/kv/<prefix>?keys; 404 means none). */
export async function listKeys(target: ConsulHttpTarget, prefix: string): Promise<string[]> {
  const answer = await consulOk(target, "GET", `/v1/kv/${prefix}?keys`, { allow404: true });
  return answer.status === 404 ? [] : (JSON.parse(answer.text) as string[]);
}
