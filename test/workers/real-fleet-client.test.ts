import { describe, expect, it, vi } from "vitest";
import { defaultClientDeadline, goClientDeadline } from "../../src/client-deadline.js";
import type { ConsulClientPortOptions } from "../../src/real/consul-client-port.js";
import { workerKinds } from "../../src/workers/worker-kinds.js";

/** Every ConsulClientPort runRealFleet builds, by its options; no agent is needed. */
const built = vi.hoisted(() => [] as ConsulClientPortOptions[]);

vi.mock("../../src/real/consul-client-port.js", () => ({
  ConsulClientPort: class {
    constructor(options: ConsulClientPortOptions) {
      built.push(options);
    }
    // Every call fails as an unreachable agent would; the workers give up or time out.
    sessionCreate = (): Promise<never> => Promise.reject(new Error("no agent in this test"));
    sessionRenew = this.sessionCreate;
    sessionDestroy = (): Promise<boolean> => Promise.resolve(true);
    sessionInfo = (): Promise<null> => Promise.resolve(null);
    kvGet = this.sessionCreate;
    kvPut = this.sessionCreate;
    kvDelete = this.sessionCreate;
    txn = this.sessionCreate;
    close(): void {}
  },
}));
vi.mock("../../replay/consul-http.js", () => ({ listKeys: () => Promise.resolve([]), consulOk: () => Promise.resolve(undefined) }));

const { realFleetClientOptions, runRealFleet } = await import("../../replay/real-fleet.js");

describe("runRealFleet builds each worker's client with the worker's client deadline and the token", () => {
  it("consul-api-lock gets the Go client's deadline, naive the default, settings override both", () => {
    expect(realFleetClientOptions({ addr: "http://x", worker: workerKinds["consul-api-lock"] }).clientDeadline).toEqual(goClientDeadline);
    expect(realFleetClientOptions({ addr: "http://x", worker: workerKinds.naive }).clientDeadline).toEqual(defaultClientDeadline);
    const own = { ...defaultClientDeadline, callTimeoutMs: 1_234 };
    expect(realFleetClientOptions({ addr: "http://x", worker: workerKinds["consul-api-lock"], settings: { clientDeadline: own } }).clientDeadline).toEqual(own);
  });

  it("the clients of a consul-api-lock run carry the Go deadline and the token, and the log says so", async () => {
    built.length = 0;
    const run = await runRealFleet({ addr: "http://127.0.0.1:1", worker: workerKinds["consul-api-lock"], workers: 2, tasks: [{ id: "t1", durationMs: 10 }], token: "secret-token", timeoutMs: 1_500 });
    const workers = built.slice(0, 2);
    expect(workers.map((o) => [o.addr, o.token, o.clientDeadline])).toEqual([
      ["http://127.0.0.1:1", "secret-token", goClientDeadline],
      ["http://127.0.0.1:1", "secret-token", goClientDeadline],
    ]);
    expect(built.at(-1)?.token, "the cleanup's client has the token too").toBe("secret-token");
    expect(run.log.filter((r) => r.kind === "host.client-deadline").map((r) => r.host)).toEqual(["w1", "w2"]);
    expect(JSON.stringify(run.log)).not.toContain("secret-token");
  });
});
