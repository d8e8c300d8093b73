import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { AbortedError, InputError, LocksimError } from "../src/errors.js";
import { withParentDeathSignal } from "./parent-death-signal.js";
import { killAtProcessEnd } from "./process-end-guard.js";
import { consulLeftover } from "./consul-leftover.js";

/** A reachable Consul agent and how to let go of it. */
export interface ConsulAgent {
  /** Base URL, e.g. "http://127.0.0.1:18500". */
  addr: string;
  /** Where it came from: the user's agent, a `consul` binary we started, or a Docker container. */
  source: "env" | "binary" | "docker";
  /** The process id of a `consul` binary locksim started (source "binary"), for reports and tests. */
  pid?: number | undefined;
  /** Stops what we started (nothing for an agent the user runs). Idempotent. */
  stop(): Promise<void>;
}

/** No Consul could be found or started; `attempts` says what each of the three ways answered. */
export class ConsulProviderError extends LocksimError {}

/** Options of `provideConsul`. */
export interface ProvideConsulOptions {
  /** Use an agent that is not on loopback (CONSUL_HTTP_ADDR). Default false: refused. */
  allowRemote?: boolean;
  /** How long to wait for the agent to have a leader (ms). Default 30,000. */
  readyTimeoutMs?: number;
  /** Environment to read CONSUL_HTTP_ADDR from. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Gives up (and stops an agent being started) when it aborts: Ctrl+C during start-up. */
  signal?: AbortSignal | undefined;
}

/** Resolves after `ms` of real time (real adapters only). */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Normalises "127.0.0.1:8500" or "http://host:port/" to "http://host:port". An address that is not
 * an http(s) URL of a host (a typo, a path, credentials) is the user's input error: exit 2, naming
 * where it came from (`source`, e.g. "--consul-addr" or "CONSUL_HTTP_ADDR").
 */
export function normalizeConsulAddr(raw: string, source = "the Consul address"): string {
  const trimmed = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new InputError(`${source} "${raw}" is not a URL; expected e.g. http://127.0.0.1:8500`, { field: source, value: raw });
  }
  const bad = url.protocol !== "http:" && url.protocol !== "https:" ? `scheme ${url.protocol} (expected http: or https:)` : !url.hostname ? "no host" : url.username || url.password ? "credentials in the URL (use CONSUL_HTTP_TOKEN)" : url.pathname !== "/" || url.search || url.hash ? `a path or query (${url.pathname}${url.search}); give only scheme, host and port` : undefined;
  if (bad) throw new InputError(`${source} "${raw}" has ${bad}`, { field: source, value: raw });
  return `${url.protocol}//${url.host}`;
}

/** Whether an address names this machine: 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackAddr(addr: string): boolean {
  const host = new URL(normalizeConsulAddr(addr)).hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** A promise that rejects with AbortedError when `signal` aborts (never settles without one). */
export function rejectOnAbort(signal: AbortSignal | undefined, what: string): Promise<never> {
  const p = new Promise<never>((_, reject) => {
    if (signal?.aborted) reject(new AbortedError(what, signal.reason));
    else signal?.addEventListener("abort", () => reject(new AbortedError(what, signal.reason)), { once: true });
  });
  p.catch(() => undefined);
  return p;
}

/** Waits until GET /v1/status/leader names a leader. */
export async function waitForLeader(addr: string, timeoutMs: number, token?: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = "no answer";
  while (performance.now() < deadline) {
    try {
      const res = await fetch(`${addr}/v1/status/leader`, { headers: token ? { "x-consul-token": token } : {} });
      const body = await res.text();
      if (res.ok && body.trim() !== '""' && body.trim() !== "") return;
      last = `status ${res.status}, body ${body.trim()}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(100);
  }
  throw new ConsulProviderError(`Consul at ${addr} has no leader after ${timeoutMs}ms (last: ${last})`, { addr, timeoutMs });
}

/** Ports this process handed out: the kernel may give a just-closed port again at once. */
const issuedPorts = new Set<number>();

function listenOnce(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * A TCP port that was free a moment ago on 127.0.0.1, never one this process handed out before:
 * the kernel can return a port it just released to the next bind, and an agent given the same
 * port twice refuses to start (measured: "Serf Advertise WAN address 127.0.0.1:N already
 * configured for RPC Advertise").
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await listenOnce();
    if (issuedPorts.has(port)) continue;
    issuedPorts.add(port);
    return port;
  }
  throw new ConsulProviderError("no fresh loopback port after 50 attempts", { issued: issuedPorts.size });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Stops a dev agent, then removes the empty directory consul made at start-up (consul-leftover.ts). */
async function stopDevAgent(child: ChildProcess): Promise<void> {
  await stopChild(child);
  consulLeftover.remove();
}

/**
 * Starts `consul agent -dev` on free loopback ports (a dev agent keeps its state in memory: no data
 * directory to remove; the empty /tmp/consul-test that consul makes goes when it stops). `signal`
 * aborting during start-up stops the child and rejects; `extraArgs` are appended to the command
 * line (e.g. `-hcl` with an ACL block, for tests).
 */
export async function startConsulBinary(options: { binary?: string; readyTimeoutMs?: number; signal?: AbortSignal | undefined; extraArgs?: string[] } = {}): Promise<ConsulAgent> {
  // A port free a moment ago can be taken by another process before the agent binds it; the agent
  // then exits at once, and a second try on fresh ports starts it.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startConsulBinaryOnce(options);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof AgentExitedError)) throw error;
    }
  }
}

/** The agent exited during start-up (not a time-out, not an abort). */
class AgentExitedError extends ConsulProviderError {}

async function startConsulBinaryOnce(options: { binary?: string; readyTimeoutMs?: number; signal?: AbortSignal | undefined; extraArgs?: string[] }): Promise<ConsulAgent> {
  const [http, serf, wan, server] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const args = [
    "agent", "-dev", "-bind", "127.0.0.1", "-client", "127.0.0.1",
    "-http-port", String(http), "-dns-port", "-1", "-grpc-port", "-1",
    "-serf-lan-port", String(serf), "-serf-wan-port", String(wan), "-server-port", String(server),
    "-node", `locksim-${http}`,
    ...(options.extraArgs ?? []),
  ];
  // The agent dies with this process even if stop() is never reached: a SIGTERM to a library
  // user's process (or a vitest worker) with no handler of its own, process.exit, and on Linux
  // even a SIGKILL (parent-death-signal.ts).
  const command = withParentDeathSignal(options.binary ?? "consul", args);
  consulLeftover.noteStart();
  const child = spawn(command.command, command.args, { stdio: ["ignore", "pipe", "pipe"] });
  killAtProcessEnd(child);
  let output = "";
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const spawnError = new Promise<never>((_, reject) => {
    child.once("error", (e) => reject(e));
    child.once("exit", (code) => reject(new AgentExitedError(`consul exited with code ${code}: ${output.slice(-500)}`, { code })));
  });
  const addr = `http://127.0.0.1:${http}`;
  try {
    await Promise.race([waitForLeader(addr, options.readyTimeoutMs ?? 30_000), spawnError, rejectOnAbort(options.signal, "starting consul agent -dev")]);
  } catch (error) {
    await stopDevAgent(child);
    throw error;
  }
  spawnError.catch(() => undefined);
  let stopped: Promise<void> | undefined;
  return { addr, source: "binary", pid: child.pid, stop: () => (stopped ??= stopDevAgent(child)) };
}

/** Starts hashicorp/consul in Docker through testcontainers. */
export async function startConsulDocker(options: { image?: string } = {}): Promise<ConsulAgent> {
  const { GenericContainer, Wait } = await import("testcontainers");
  const container = await new GenericContainer(options.image ?? "hashicorp/consul:1.8.7")
    .withExposedPorts(8500)
    .withCommand(["agent", "-dev", "-client", "0.0.0.0"])
    .withWaitStrategy(Wait.forHttp("/v1/status/leader", 8500).forResponsePredicate((body) => body.includes(":")))
    .start();
  const addr = `http://${container.getHost()}:${container.getMappedPort(8500)}`;
  let stopped: Promise<void> | undefined;
  return {
    addr,
    source: "docker",
    stop: () => (stopped ??= container.stop().then(() => undefined)),
  };
}

/**
 * Finds a Consul agent, in the order of design.md §2 (Real Consul): CONSUL_HTTP_ADDR → a `consul`
 * binary on PATH started as `consul agent -dev` on free loopback ports → Docker (testcontainers) →
 * a ConsulProviderError naming the three ways and what each answered.
 */
export async function provideConsul(options: ProvideConsulOptions = {}): Promise<ConsulAgent> {
  const env = options.env ?? process.env;
  const attempts: string[] = [];
  const fromEnv = env.CONSUL_HTTP_ADDR;
  if (fromEnv) {
    const addr = normalizeConsulAddr(fromEnv, "CONSUL_HTTP_ADDR");
    if (!isLoopbackAddr(addr) && !options.allowRemote) {
      throw new InputError(
        `CONSUL_HTTP_ADDR=${fromEnv} is not on loopback; locksim writes and deletes keys there, so it refuses ` +
          "unless you say so explicitly (--allow-remote)",
        { field: "CONSUL_HTTP_ADDR", addr },
      );
    }
    await Promise.race([waitForLeader(addr, options.readyTimeoutMs ?? 30_000, env.CONSUL_HTTP_TOKEN), rejectOnAbort(options.signal, "waiting for CONSUL_HTTP_ADDR")]);
    return { addr, source: "env", stop: async () => undefined };
  }
  attempts.push("1. CONSUL_HTTP_ADDR: not set");
  try {
    return await startConsulBinary({ readyTimeoutMs: options.readyTimeoutMs, signal: options.signal });
  } catch (error) {
    if (error instanceof AbortedError) throw error;
    attempts.push(`2. consul binary on PATH: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (options.signal?.aborted) throw new AbortedError("providing Consul", options.signal.reason);
  try {
    return await startConsulDocker();
  } catch (error) {
    attempts.push(`3. Docker (testcontainers, hashicorp/consul): ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  }
  throw new ConsulProviderError(
    "no Consul agent available. Tried:\n  " +
      attempts.join("\n  ") +
      "\nFix one: set CONSUL_HTTP_ADDR to a running agent, install consul (Debian: scripts/install-consul.sh), " +
      "or run Docker (docker compose up -d consul).",
    { attempts },
  );
}
