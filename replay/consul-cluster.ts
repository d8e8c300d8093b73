import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConsulProviderError, freePort, sleep, waitForLeader } from "./consul-provider.js";

/** One server of a local cluster. */
interface ServerProc {
  node: string;
  httpAddr: string;
  serverPort: number;
  child: ChildProcess;
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
  /** Stops every agent and removes their data directories. Idempotent. */
  stop(): Promise<void>;
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
 */
export async function startConsulCluster(options: { servers?: number; readyTimeoutMs?: number; attempts?: number } = {}): Promise<ConsulCluster> {
  // Free ports are probed, then released before consul binds them, so another process can take
  // one in between (two clusters starting at once in CI did): that server exits, the others wait
  // for it forever. Such an attempt is detected and retried on fresh ports.
  const attempts = options.attempts ?? 3;
  const failures: string[] = [];
  for (let i = 1; i <= attempts; i++) {
    try {
      return await startOnce(options.servers ?? 3, options.readyTimeoutMs ?? 30_000);
    } catch (error) {
      failures.push(`attempt ${i}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new ConsulProviderError(`a ${options.servers ?? 3}-server Consul cluster did not elect a leader:\n  ${failures.join("\n  ")}`);
}

async function startOnce(count: number, readyTimeoutMs: number): Promise<ConsulCluster> {
  const dir = await mkdtemp(join(tmpdir(), "locksim-cluster-"));
  const children: ChildProcess[] = [];
  const servers: ServerProc[] = [];
  const ports = async (): Promise<{ http: number; lan: number; wan: number; server: number }> => ({ http: await freePort(), lan: await freePort(), wan: await freePort(), server: await freePort() });
  const serverPorts = await Promise.all(Array.from({ length: count }, ports));
  const joins = serverPorts.flatMap((p) => ["-retry-join", `127.0.0.1:${p.lan}`]);
  const common = (node: string, p: { http: number; lan: number; wan: number; server: number }): string[] => [
    "agent", "-node", node, "-data-dir", join(dir, node), "-bind", "127.0.0.1", "-client", "127.0.0.1",
    "-http-port", String(p.http), "-dns-port", "-1", "-grpc-port", "-1",
    "-serf-lan-port", String(p.lan), "-serf-wan-port", String(p.wan), "-server-port", String(p.server),
    "-hcl", "performance { raft_multiplier = 1 }", ...joins,
  ];
  const launch = (args: string[]): ChildProcess => {
    const child = spawn("consul", args, { stdio: "ignore" });
    child.on("error", () => undefined);
    children.push(child);
    return child;
  };
  serverPorts.forEach((p, i) => {
    const node = `locksim-s${i + 1}`;
    const child = launch([...common(node, p), "-server", "-bootstrap-expect", String(count)]);
    servers.push({ node, httpAddr: `http://127.0.0.1:${p.http}`, serverPort: p.server, child });
  });
  const clientPorts = await ports();
  launch(common("locksim-client", clientPorts));
  const clientAddr = `http://127.0.0.1:${clientPorts.http}`;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await Promise.all(children.map((c) => kill(c, "SIGKILL")));
      await rm(dir, { recursive: true, force: true });
    })());
  // An agent that exits during start-up (a port taken meanwhile) means the attempt cannot succeed.
  const earlyExit = new Promise<never>((_, reject) => {
    for (const c of children) c.once("exit", (code, signal) => reject(new Error(`an agent exited during start-up (code ${code}, signal ${signal})`)));
  });
  earlyExit.catch(() => undefined);
  try {
    await Promise.race([waitForLeader(clientAddr, readyTimeoutMs), earlyExit]);
  } catch (error) {
    await stop();
    throw error;
  }
  const leader = async (): Promise<string> => {
    const res = await fetch(`${clientAddr}/v1/status/leader`);
    const addr = (await res.json()) as string;
    const port = Number(addr.split(":")[1]);
    return servers.find((s) => s.serverPort === port)?.node ?? "";
  };
  return {
    clientAddr,
    leader,
    async killLeader() {
      const node = await leader();
      const server = servers.find((s) => s.node === node);
      if (!server) throw new ConsulProviderError("the cluster has no leader to kill");
      await kill(server.child, "SIGKILL");
      return node;
    },
    async waitForNewLeader(old, timeoutMs = 60_000) {
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline) {
        try {
          const now = await leader();
          if (now && now !== old) return now;
        } catch {
          // the client agent may answer 500 while there is no leader
        }
        await sleep(50);
      }
      throw new ConsulProviderError(`no new leader within ${timeoutMs}ms after ${old} died`);
    },
    stop,
  };
}
