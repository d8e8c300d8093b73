import { createServer, type Server } from "node:http";
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterHandle } from "../../replay/consul-cluster.js";
import { ConsulProviderError } from "../../replay/consul-provider.js";

/** A stand-in client agent whose /v1/status/leader answers `""`, as 1.8.7 does while there is no leader. */
let agent: Server;
let clientAddr = "";

beforeAll(async () => {
  agent = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('""'));
  await new Promise<void>((resolve) => agent.listen(0, "127.0.0.1", resolve));
  const address = agent.address();
  clientAddr = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => agent.close(() => resolve()));
});

describe("a cluster handle without a leader", () => {
  it("names the client agent, its leader answer and the servers it knows in the error's context", async () => {
    const server = { node: "locksim-server-1", httpAddr: "http://127.0.0.1:1", serverPort: 18300, child: {} as ChildProcess, args: [] };
    const launch = (): ChildProcess => {
      throw new Error("no agent is launched in this test");
    };
    const handle = clusterHandle({ children: [], servers: [server], clientAddr, launch }, "/nonexistent", () => Promise.resolve(), () => false);
    const error = await handle.killLeader().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsulProviderError);
    expect((error as ConsulProviderError).context).toEqual({ clientAddr, leaderAnswer: "", servers: [{ node: "locksim-server-1", serverPort: 18300 }] });
  });
});
