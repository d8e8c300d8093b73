import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startConsulBinary, type ConsulAgent } from "../../replay/consul-provider.js";
import { preflightConsul } from "../../replay/preflight.js";
import { killAtProcessEnd } from "../../replay/process-end-guard.js";
import { InputError } from "../../src/errors.js";
import { consulLeftover } from "../../replay/consul-leftover.js";
import { agentState, requireConsulBinary, runCli, startCli } from "./cli-child.js";
import { cleanUpRun } from "../../replay/real-fleet.js";
import type { RecordingConsulPort } from "../../src/recording-consul-port.js";

// `locksim cleanup` after a run that could not clean up (SIGKILL), and the preflight of real runs:
// an agent that refuses the token, does not answer or has no leader is bad input (exit 2), fast,
// with Consul's message and never the token. Each test uses an agent of its own.
const haveConsul = requireConsulBinary("the cleanup and preflight tests");
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const put = (addr: string, path: string, body?: unknown, token?: string): Promise<Response> => fetch(`${addr}${path}`, { method: "PUT", body: body === undefined ? undefined : JSON.stringify(body), headers: token ? { "x-consul-token": token } : {} });

describe.skipIf(!haveConsul).concurrent("locksim cleanup and the preflight of real runs", () => {
  const agents: ConsulAgent[] = [];
  let tmp = "";
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), "locksim-cleanup-"));
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await rm(tmp, { recursive: true, force: true });
  });
  const ownAgent = async (extraArgs: string[] = []): Promise<ConsulAgent> => {
    const agent = await startConsulBinary({ extraArgs });
    agents.push(agent);
    return agent;
  };

  // Destroy answers true for a session that is already gone, so a stopped replay reported every
  // session it ever made as removed ("5 session(s)" where the agent held 1).
  it("a run's cleanup counts as removed only the sessions that were still there", { timeout: 60_000 }, async () => {
    const agent = await ownAgent();
    const addr = agent.addr;
    const make = async (): Promise<string> => ((await (await put(addr, "/v1/session/create", { Name: "locksim-w1" })).json()) as { ID: string }).ID;
    const [gone, live] = [await make(), await make()];
    await put(addr, `/v1/session/destroy/${gone}`);
    expect(await (await put(addr, `/v1/kv/locksim-replay/count-test/service/t1/leader?acquire=${live}`, "w")).text()).toContain("true");
    const port = { sessions: new Set([gone, live]) } as unknown as RecordingConsulPort;
    const cleanup = await cleanUpRun({ addr, ports: [port], runPrefix: "locksim-replay/count-test" });
    expect(cleanup).toEqual({ removed: { sessions: 1, keys: 1 }, leftover: { sessions: 0, keys: 0 } });
  });

  it("removes what a SIGKILLed replay left (and nothing else); --dry-run only lists it", { timeout: 90_000 }, async () => {
    const agent = await ownAgent();
    const addr = agent.addr;
    // Someone else's session and key, which cleanup must not touch; and a session with a name
    // locksim does not know (a user's worker module) holding a key under locksim's prefix.
    const other = ((await (await put(addr, "/v1/session/create", { Name: "other-app" })).json()) as { ID: string }).ID;
    await put(addr, "/v1/kv/other-app/config", "x");
    const users = ((await (await put(addr, "/v1/session/create", { Name: "my-worker" })).json()) as { ID: string }).ID;
    expect(await (await put(addr, `/v1/kv/locksim-replay/by-hand/service/t1/leader?acquire=${users}`, "w")).text()).toContain("true");
    const c = startCli(["replay", "gc-pause-longer-than-ttl", "--real", "--consul-addr", addr]);
    await c.waitFor(/replaying /, 60_000);
    await sleep(8_000);
    process.kill(c.pid, "SIGKILL");
    await c.exited;
    const left = await agentState(addr);
    const locksimSessions = left.sessions.filter((s) => s.Name.startsWith("locksim-"));
    expect(locksimSessions.length, "the killed run left sessions").toBeGreaterThan(0);
    expect(left.locksimKeys.length, "the killed run left keys").toBeGreaterThan(1);

    const dry = await runCli(["cleanup", "--consul-addr", addr, "--dry-run", "--json"]);
    expect(dry.code, dry.err).toBe(0);
    const listed = JSON.parse(dry.out) as { found: { sessions: { id: string; reason: string }[]; keys: string[] }; dryRun: boolean };
    expect(listed.dryRun).toBe(true);
    // The killed run's sessions keep their TTLs: one may expire (and, with behavior delete, take
    // its key along) between any two reads here, and the CLI's start-up takes seconds. So the
    // listing is compared with what is still there after it: whatever outlived the dry run existed
    // during it and must have been listed. The user's session has no TTL and its key must stay.
    const afterDry = await agentState(addr);
    expect(listed.found.keys).toEqual(expect.arrayContaining(afterDry.locksimKeys));
    const liveLocksim = afterDry.sessions.filter((s) => s.Name.startsWith("locksim-")).map((s) => s.ID);
    expect(listed.found.sessions.map((s) => s.id)).toEqual(expect.arrayContaining([users, ...liveLocksim]));
    expect(listed.found.sessions.map((s) => s.id)).not.toContain(other);
    expect(afterDry.locksimKeys, "a dry run removes nothing").toContain("locksim-replay/by-hand/service/t1/leader");
    expect(afterDry.sessions.map((s) => s.ID), "a dry run removes nothing").toContain(users);
    expect(afterDry.locksimKeys.every((k) => left.locksimKeys.includes(k)), "nothing new appeared").toBe(true);

    const t0 = performance.now();
    const real = await runCli(["cleanup", "--consul-addr", addr]);
    expect(real.code, real.err).toBe(0);
    expect(real.out).toMatch(/removed \d+ session\(s\) and \d+ key\(s\)[\s\S]*nothing of locksim's is left/);
    const after = await agentState(addr);
    expect(after.locksimKeys).toEqual([]);
    expect(after.sessions.map((s) => s.Name)).toEqual(["other-app"]);
    expect(after.allKeys).toEqual(["other-app/config"]);
    console.log(`cleanup after SIGKILL: ${locksimSessions.length + 1} session(s), ${left.locksimKeys.length} key(s) left; the command took ${Math.round(performance.now() - t0)}ms (CLI start included): ${/removed .*/.exec(real.out)?.[0]}`);
  });

  it("a token Consul refuses is exit 2 within seconds, with Consul's message and never the token", { timeout: 60_000 }, async () => {
    const master = "locksim-test-master-token";
    const agent = await ownAgent(["-hcl", `acl { enabled = true default_policy = "deny" tokens { master = "${master}" } }`]);
    const secret = "wrong-token-7f3a9c";
    const [replay, cleanup] = await Promise.all([
      runCli(["replay", "gc-pause-longer-than-ttl", "--real", "--consul-addr", agent.addr], { CONSUL_HTTP_TOKEN: secret }),
      runCli(["cleanup", "--consul-addr", agent.addr, "--json"], { CONSUL_HTTP_TOKEN: secret }),
    ]);
    for (const r of [replay, cleanup]) {
      expect({ code: r.code, err: r.err }).toMatchObject({ code: 2, err: expect.stringMatching(/bad input: Consul at \S+ refused a KV read: 403 ACL not found/) });
      expect(r.out + r.err).not.toContain(secret);
      // Refused by the preflight before any run started: the old failure started the replay and
      // came after 2 minutes. No wall-time bound here (tests never assert timings: with the CLI's
      // start-up through vite-node, this refusal once took 33s on a loaded machine); the exit code,
      // the preflight's message and the missing "replaying" line say which path ended the command,
      // and the test's 60s timeout catches a hang.
      expect(r.out).not.toMatch(/replaying/);
    }
    expect(JSON.parse(cleanup.out)).toMatchObject({ error: { exitCode: 2 } });
    const t0 = performance.now();
    const refused = await preflightConsul({ addr: agent.addr, token: secret }).catch((e: unknown) => e);
    const refusedMs = Math.round(performance.now() - t0);
    // Refused by the agent's 403, not given up at a client deadline (that message would differ).
    expect(refused).toBeInstanceOf(InputError);
    expect(String(refused)).toMatch(/403 ACL not found/);
    const anonymous = await preflightConsul({ addr: agent.addr }).catch((e: unknown) => e);
    expect(String(anonymous)).toMatch(/refused a session create: 403 Permission denied \(check CONSUL_HTTP_TOKEN, which is not set\)/);
    const ok = await preflightConsul({ addr: agent.addr, token: master });
    // A preflight that passes has no slow path to tell apart (a call that timed out would have
    // rejected), so what is checked is what it did, not how long it took: it found the leader, and
    // its write probe removed its session and key.
    expect(ok.leader).toMatch(/^127\.0\.0\.1:\d+$/);
    const asMaster = { headers: { "x-consul-token": master } };
    const sessions = (await (await fetch(`${agent.addr}/v1/session/list`, asMaster)).json()) as { Name: string }[];
    expect(sessions.map((x) => x.Name)).not.toContain("locksim-preflight");
    expect((await fetch(`${agent.addr}/v1/kv/locksim-replay/?keys`, asMaster)).status, "the preflight's key is gone").toBe(404);
    console.log(`bad token: replay exit ${replay.code} after ${replay.wallMs}ms, cleanup exit ${cleanup.code} after ${cleanup.wallMs}ms (CLI start included); preflight refused the token in ${refusedMs}ms, accepted the master token in ${ok.tookMs}ms`);
  });

  it("an agent that does not answer, or has no leader, is exit 2, and the message says which", { timeout: 60_000 }, async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const r = await runCli(["replay", "gc-pause-longer-than-ttl", "--real", "--consul-addr", closed]);
    expect({ code: r.code, err: r.err }).toMatchObject({ code: 2, err: expect.stringMatching(/bad input: no Consul agent answers at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/) });
    const t1 = performance.now();
    // Refused by the closed port (ECONNREFUSED), not given up at a client deadline.
    const unreachable = await preflightConsul({ addr: closed }).catch((x: unknown) => x);
    const unreachableMs = Math.round(performance.now() - t1);
    expect(unreachable).toBeInstanceOf(InputError);
    expect(String(unreachable)).toMatch(/ECONNREFUSED/);
    // One server of an expected three never elects a leader: it answers, with leader "".
    const [http, lan, wan, server] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const args = ["agent", "-server", "-bootstrap-expect", "3", "-data-dir", join(tmp, "leaderless"), "-bind", "127.0.0.1", "-client", "127.0.0.1", "-http-port", String(http), "-dns-port", "-1", "-grpc-port", "-1", "-serf-lan-port", String(lan), "-serf-wan-port", String(wan), "-server-port", String(server), "-node", "locksim-leaderless"];
    consulLeftover.noteStart();
    const lone = spawn("consul", args, { stdio: "ignore" });
    killAtProcessEnd(lone);
    const exited = (): Promise<void> => new Promise((resolve) => (lone.exitCode !== null ? resolve() : (lone.once("exit", () => resolve()), lone.kill("SIGKILL"))));
    agents.push({ addr: "", source: "binary", stop: () => exited().then(() => consulLeftover.remove()) });
    const addr = `http://127.0.0.1:${http}`;
    for (let i = 0; i < 200 && !(await fetch(`${addr}/v1/status/leader`).then((x) => x.ok, () => false)); i++) await sleep(50);
    const t0 = performance.now();
    const e = await preflightConsul({ addr }).catch((x: unknown) => x);
    const tookMs = Math.round(performance.now() - t0);
    expect(e).toBeInstanceOf(InputError);
    // The message names the path that ended it (an agent that answers with leader ""); how long
    // that took is logged, not asserted: tests never assert timings on these shared machines.
    expect(String(e)).toMatch(/answers but has no leader/);
    console.log(`unreachable agent: exit ${r.code} after ${r.wallMs}ms (CLI start included), preflight refused in ${unreachableMs}ms; no leader: refused after ${tookMs}ms`);
  });

  it("a malformed or non-loopback address is exit 2, not an internal error", { timeout: 60_000 }, async () => {
    const runs = await Promise.all([
      runCli(["replay", "gc-pause-longer-than-ttl", "--real", "--consul-addr", "http://[::1"]),
      runCli(["replay", "gc-pause-longer-than-ttl", "--real"], { CONSUL_HTTP_ADDR: "http://10.1.2.3:8500" }),
      runCli(["replay", "gc-pause-longer-than-ttl", "--real"], { CONSUL_HTTP_ADDR: "127.0.0.1:8500/v1/kv" }),
      runCli(["cleanup", "--consul-addr", "10.1.2.3:8500"]),
    ]);
    const [malformed, remoteEnv, pathEnv, remoteCleanup] = runs.map((r) => ({ code: r.code, err: r.err }));
    expect(malformed).toMatchObject({ code: 2, err: expect.stringMatching(/bad input: --consul-addr "http:\/\/\[::1" is not a URL/) });
    expect(remoteEnv).toMatchObject({ code: 2, err: expect.stringMatching(/bad input: CONSUL_HTTP_ADDR=http:\/\/10\.1\.2\.3:8500 is not on loopback/) });
    expect(pathEnv).toMatchObject({ code: 2, err: expect.stringMatching(/bad input: CONSUL_HTTP_ADDR "127\.0\.0\.1:8500\/v1\/kv" has a path/) });
    expect(remoteCleanup).toMatchObject({ code: 2, err: expect.stringMatching(/bad input: --consul-addr http:\/\/10\.1\.2\.3:8500 is not on loopback.*--allow-remote/) });
    for (const r of runs) expect(r.err).not.toMatch(/internal error| {4}at /);
  });
});
