import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AbortedError } from "../src/errors.js";
import { ConsulProviderError, freePort, rejectOnAbort, sleep, waitForLeader } from "./consul-provider.js";
import { withParentDeathSignal } from "./parent-death-signal.js";
import { consulLeftover } from "./consul-leftover.js";
import { atProcessEnd, killAtProcessEnd } from "./process-end-guard.js";

/** One server of a local cluster. */
export interface ServerProc {
  node: string;
  httpAddr: string;
  serverPort: number;
  child: ChildProcess;
  /** The arguments it was started with, to start it again on the same ports and data. */
  args: string[];
}

/** A local cluster of real agents on loopback: N servers and one client agent. */
export interface ConsulCluster {
  /** The client agent's HTTP address: what workers talk to (it survives a server's death). */
  clientAddr: string;
  /** The current leader's node name. */
  leader(): Promise<string>;
  /** SIGKILLs the current leader; resolves when it is dead. */
  killLeader(): Promise<string>;
  /** Polls until a leader other than `old` is known; resolves with its node name. */
  waitForNewLeader(old: string, timeoutMs?: number): Promise<string>;
  /**
   * Makes the current leader leave gracefully (`consul leave` against it: in 1.8.7 a leader that
   * leaves first removes itself from the Raft configuration, agent/consul/server.go `Leave`, and
   * Raft then steps it down) and resolves with its node name once its process has exited.
   * Optional: stand-ins for tests may not have it.
   */
  leaveLeader?(): Promise<string>;
  /** Starts a server that was killed or left again, on its ports and data directory. Optional. */
  restartServer?(node: string): Promise<void>;
  /** Stops every agent and removes their data directories. Idempotent. */
  stop(): Promise<void>;
  /** The directory holding every agent's data directory (removed by stop); unset for stand-ins. */
  dataDir?: string;
  /** Process ids of the agents, servers first (for reports and tests); unset for stand-ins. */
  pids?: number[];
}

/** Options of startConsulCluster. */
export interface StartConsulClusterOptions {
  /** Number of servers. Default 3. */
  servers?: number;
  /** How long one attempt may take to elect a leader and register the client agent (ms). Default 30,000. */
  readyTimeoutMs?: number;
  /** Attempts on fresh ports before giving up. Default 3. */
  attempts?: number;
  /** Aborting during start-up stops the agents started so far, removes their data and rejects. */
  signal?: AbortSignal | undefined;
}

/**
 * Waits until `node` is in the catalog with a passing serfHealth check. A session created through
 * an agent names that agent's node and, by default, its serfHealth check; until the servers have
 * both, Consul answers "Missing node registration" or "Missing check 'serfHealth' registration"
 * (both HTTP 500), which a leader alone does not rule out.
 */
async function waitForNodeRegistered(addr: string, node: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = "no answer";
  while (performance.now() < deadline) {
    try {
      const res = await fetch(`${addr}/v1/health/node/${encodeURIComponent(node)}`);
      const checks = res.ok ? ((await res.json()) as { CheckID: string; Status: string }[] | null) : null;
      if (checks?.some((c) => c.CheckID === "serfHealth" && c.Status === "passing")) return;
      last = res.ok ? `checks ${JSON.stringify(checks?.map((c) => `${c.CheckID}=${c.Status}`) ?? [])}` : `status ${res.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(100);
  }
  throw new ConsulProviderError(`the client agent ${node} did not register within ${timeoutMs}ms (last: ${last})`, { addr, node, timeoutMs });
}

function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

/**
 * Starts `servers` Consul servers and one client agent as `consul agent` processes on free loopback
 * ports, with raft_multiplier 1 so that elections take about a second (the production default of 5
 * made the measured failover in consul-semantics.md §2 last 19.5s). Used for leader-failover tests.
 * It resolves once there is a leader and the client agent is registered with a passing serfHealth
 * check, so the first session created through the client agent cannot fail for want of either.
 */
export async function startConsulCluster(options: StartConsulClusterOptions = {}): Promise<ConsulCluster> {
  // Free ports are probed, then released before consul binds them, so another process can take
  // one in between (two clusters starting at once in CI did): that server exits, the others wait
  // for it forever. Such an attempt is detected and retried on fresh ports.
  const attempts = options.attempts ?? 3;
  const failures: string[] = [];
  for (let i = 1; i <= attempts; i++) {
    try {
      return await startOnce(options.servers ?? 3, options.readyTimeoutMs ?? 30_000, options.signal);
    } catch (error) {
      if (error instanceof AbortedError) throw error;
      failures.push(`attempt ${i}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new ConsulProviderError(`a ${options.servers ?? 3}-server Consul cluster did not elect a leader:\n  ${failures.join("\n  ")}`, {
    servers: options.servers ?? 3,
    attempts,
    failures,
  });
}

/** The processes of a cluster being started. */
export interface LaunchedAgents {
  children: ChildProcess[];
  servers: ServerProc[];
  clientAddr: string;
  /** Spawns one more agent process (a restarted server), tracked with the others. */
  launch: (args: string[]) => ChildProcess;
}

/** Spawns `count` servers and the client agent `locksim-client`, each with its data under `dir`. */
async function launchAgents(dir: string, count: number): Promise<LaunchedAgents> {
  const children: ChildProcess[] = [];
  const servers: ServerProc[] = [];
  const ports = async (): Promise<{ http: number; lan: number; wan: number; server: number }> => ({ http: await freePort(), lan: await freePort(), wan: await freePort(), server: await freePort() });
  const serverPorts = await Promise.all(Array.from({ length: count }, ports));
  // An agent whose first join finds no server listening yet (the servers start in parallel; on a
  // busy machine the client agent can be up first) retries only after retry_interval, 30s by
  // default: the client then knows no server ("No known Consul servers") for 30s. Retry each second.
  const joins = [...serverPorts.flatMap((p) => ["-retry-join", `127.0.0.1:${p.lan}`]), "-retry-interval", "1s"];
  const common = (node: string, p: { http: number; lan: number; wan: number; server: number }): string[] => [
    "agent", "-node", node, "-data-dir", join(dir, node), "-bind", "127.0.0.1", "-client", "127.0.0.1",
    "-http-port", String(p.http), "-dns-port", "-1", "-grpc-port", "-1",
    "-serf-lan-port", String(p.lan), "-serf-wan-port", String(p.wan), "-server-port", String(p.server),
    "-hcl", "performance { raft_multiplier = 1 }", ...joins,
  ];
  const launch = (args: string[]): ChildProcess => {
    // Dies with this process even if stop() is never reached (process-end-guard.ts), on Linux even
    // when this process is SIGKILLed (parent-death-signal.ts).
    const command = withParentDeathSignal("consul", args);
    consulLeftover.noteStart();
    const child = spawn(command.command, command.args, { stdio: "ignore" });
    child.on("error", () => undefined);
    killAtProcessEnd(child);
    children.push(child);
    return child;
  };
  serverPorts.forEach((p, i) => {
    const node = `locksim-s${i + 1}`;
    const args = [...common(node, p), "-server", "-bootstrap-expect", String(count)];
    servers.push({ node, httpAddr: `http://127.0.0.1:${p.http}`, serverPort: p.server, child: launch(args), args });
  });
  const clientPorts = await ports();
  launch(common(clientNode, clientPorts));
  return { children, servers, clientAddr: `http://127.0.0.1:${clientPorts.http}`, launch };
}

const clientNode = "locksim-client";

async function startOnce(count: number, readyTimeoutMs: number, signal: AbortSignal | undefined): Promise<ConsulCluster> {
  if (signal?.aborted) throw new AbortedError("starting a Consul cluster", signal.reason);
  const dir = await mkdtemp(join(tmpdir(), "locksim-cluster-"));
  // If this process ends before stop(), its agents are killed first and then their data goes.
  const forgetDir = atProcessEnd(() => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }));
  const agents = await launchAgents(dir, count);
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await Promise.all(agents.children.map((c) => kill(c, "SIGKILL")));
      await rm(dir, { recursive: true, force: true });
      forgetDir();
      consulLeftover.remove();
    })());
  // An agent that exits during start-up (a port taken meanwhile) means the attempt cannot succeed.
  const earlyExit = new Promise<never>((_, reject) => {
    for (const c of agents.children) c.once("exit", (code, sig) => reject(new Error(`an agent exited during start-up (code ${code}, signal ${sig})`)));
  });
  earlyExit.catch(() => undefined);
  const ready = async (): Promise<void> => {
    const deadline = performance.now() + readyTimeoutMs;
    await waitForLeader(agents.clientAddr, readyTimeoutMs);
    await waitForNodeRegistered(agents.clientAddr, clientNode, Math.max(1_000, deadline - performance.now()));
  };
  try {
    await Promise.race([ready(), earlyExit, rejectOnAbort(signal, "starting a Consul cluster")]);
  } catch (error) {
    await stop();
    throw error;
  }
  return clusterHandle(agents, dir, stop, () => stopped !== undefined);
}

/** The started cluster's handle: leader queries, the failover verbs, stop. Exported for tests only (not in replay/index.ts). */
export function clusterHandle(agents: LaunchedAgents, dir: string, stop: () => Promise<void>, isStopped: () => boolean): ConsulCluster {
  const { clientAddr, servers, children } = agents;
  /** The client agent's answer to /v1/status/leader (`""` while there is none), and its server. */
  const leaderAnswer = async (): Promise<{ answer: string; server: ServerProc | undefined }> => {
    const res = await fetch(`${clientAddr}/v1/status/leader`);
    const answer = (await res.json()) as string;
    const port = Number(answer.split(":")[1]);
    return { answer, server: servers.find((s) => s.serverPort === port) };
  };
  const leader = async (): Promise<string> => (await leaderAnswer()).server?.node ?? "";
  const leaderServer = async (): Promise<ServerProc> => {
    const { answer, server } = await leaderAnswer();
    if (!server) {
      const known = servers.map((s) => ({ node: s.node, serverPort: s.serverPort }));
      throw new ConsulProviderError("the cluster has no leader", { clientAddr, leaderAnswer: answer, servers: known });
    }
    return server;
  };
  return {
    clientAddr,
    leader,
    async killLeader() {
      const server = await leaderServer();
      await kill(server.child, "SIGKILL");
      return server.node;
    },
    waitForNewLeader: (old, timeoutMs = 60_000) => waitForNewLeader({ leader, old, timeoutMs, isStopped }),
    async leaveLeader() {
      const server = await leaderServer();
      await gracefulLeave(server);
      return server.node;
    },
    async restartServer(node) {
      const server = servers.find((s) => s.node === node);
      if (!server) throw new ConsulProviderError(`no server ${node} in this cluster`);
      if (server.child.exitCode === null && server.child.signalCode === null) return;
      if (isStopped()) throw new ConsulProviderError("the cluster was stopped");
      server.child = agents.launch(server.args);
    },
    stop,
    dataDir: dir,
    get pids() {
      return children.flatMap((c) => (c.pid === undefined ? [] : [c.pid]));
    },
  };
}

/** Polls the client agent until it names a leader other than `old`. */
async function waitForNewLeader(options: { leader: () => Promise<string>; old: string; timeoutMs: number; isStopped: () => boolean }): Promise<string> {
  const deadline = performance.now() + options.timeoutMs;
  while (performance.now() < deadline) {
    if (options.isStopped()) throw new ConsulProviderError("the cluster was stopped while waiting for a new leader");
    try {
      const now = await options.leader();
      if (now && now !== options.old) return now;
    } catch {
      // the client agent may answer 500 while there is no leader
    }
    await sleep(50);
  }
  throw new ConsulProviderError(`no new leader within ${options.timeoutMs}ms after ${options.old} went`);
}

/** `consul leave` against one server; resolves when the command and the server's process have exited. */
async function gracefulLeave(server: ServerProc): Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) return resolve();
    server.child.once("exit", () => resolve());
  });
  await new Promise<void>((resolve, reject) => {
    consulLeftover.noteStart();
    const cmd = spawn("consul", ["leave", `-http-addr=${server.httpAddr}`], { stdio: "ignore" });
    cmd.once("error", reject);
    cmd.once("exit", (code) => (code === 0 ? resolve() : reject(new ConsulProviderError(`consul leave on ${server.node} exited ${code}`, { node: server.node }))));
  });
  await exited;
}
