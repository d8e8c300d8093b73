import { z } from "zod";
import { resourcePolicies } from "../../src/resources/resource-policy.js";

/**
 * The scenario file format (JSON): one fault story, the settings it runs under, and the verdict
 * each check should reach for each worker kind. Durations are ms; times are ms from the start.
 */

const ms = z.number().int().min(0);
const hostId = z.string().regex(/^w[1-9]\d*$/, "a worker id: w1, w2, …");

/** The checks the harness runs, by name. */
export const checkNames = ["atMostOnce", "exclusiveExecution", "fencing", "liveness", "modelInvariants"] as const;
export type CheckName = (typeof checkNames)[number];
/** A check's finding; "not-applicable" when the run held nothing for it to judge (never "holds" then). */
export const verdictNames = ["holds", "violated", "not-applicable"] as const;
export type Verdict = (typeof verdictNames)[number];

export const workerKindNames = ["naive", "consul-api-lock", "fenced", "txn-fenced"] as const;

/** A worker's name in `expect`: a reference kind, or a user's module worker (`file` or `file#export`). */
const workerName = z.string().min(1);

const msOrNone = z.union([ms, z.literal("none")]);
/** The workers' Consul client deadline (src/client-deadline.ts); omitted: each worker kind's own. */
const clientDeadlineSchema = z.object({ callTimeoutMs: msOrNone, blockingExtraMs: msOrNone, keepAliveGiveUpMs: msOrNone }).strict();

const faultSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("crash"), atMs: ms, worker: hostId, restartAfterMs: ms.optional() }).strict(),
  z.object({ type: z.literal("pause"), atMs: ms, worker: hostId, durationMs: ms }).strict(),
  // kind "drop": packets vanish, calls hang until the client's deadline or keep-alive, and what is still
  // awaited is delivered after the heal; "reject": connections refused or reset, calls fail at once.
  z.object({ type: z.literal("partition"), atMs: ms, worker: hostId, durationMs: ms, mode: z.enum(["requests", "responses", "both"]).default("both"), kind: z.enum(["drop", "reject"]).default("drop") }).strict(),
  z.object({ type: z.literal("drop-renewals"), atMs: ms, worker: hostId, durationMs: ms }).strict(),
  z.object({ type: z.literal("slow-network"), atMs: ms, worker: hostId, durationMs: ms, latencyMsMin: ms, latencyMsMax: ms }).strict(),
  z.object({ type: z.literal("leader-failover"), atMs: ms, unavailableMs: ms }).strict(),
  z.object({ type: z.literal("clock-drift"), atMs: ms, worker: hostId, rate: z.number().positive().max(10), durationMs: ms.optional() }).strict(),
  // For `durationMs` the agent refuses `fraction` of the writes (KV, session create/renew/destroy,
  // txn) with `status` before they reach Raft, as Consul 1.15+'s request limiter does: 429 from a
  // server that is not the leader, 503 from the leader (agent/consul/rate/handler.go).
  z.object({ type: z.literal("rate-limit"), atMs: ms, durationMs: ms, fraction: z.number().gt(0).max(1), status: z.union([z.literal(429), z.literal(503)]).default(429) }).strict(),
  // A graceful leadership handover (the leader leaves the cluster): no leader for `unavailableMs`,
  // requests wait for the new one instead of failing; the new leader re-arms every TTL timer.
  z.object({ type: z.literal("leader-transfer"), atMs: ms, unavailableMs: ms }).strict(),
]);

export type Fault = z.infer<typeof faultSchema>;
export type FaultType = Fault["type"];

const verdictsSchema = z.partialRecord(z.enum(checkNames), z.enum(verdictNames));

export const scenarioSchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1),
    why: z.string().min(1),
    seed: z.union([z.number().int(), z.string().min(1)]),
    consul: z
      .object({
        ttlMs: z.number().int().min(10_000).max(86_400_000),
        lockDelayMs: ms.optional(),
        behavior: z.enum(["release", "delete"]).optional(),
      })
      .strict(),
    workers: z.object({ count: z.number().int().min(1).max(20), startStaggerMs: ms.default(0) }).strict(),
    tasks: z.array(z.object({ id: z.string().regex(/^[A-Za-z0-9_-]+$/, "letters, digits, - and _"), durationMs: ms }).strict()).min(1).max(100),
    faults: z.array(faultSchema).default([]),
    horizonMs: z.number().int().min(1_000).max(86_400_000),
    settings: z
      .object({ passIntervalMs: ms.optional(), lockWaitTimeMs: ms.optional(), leaseSafetyMarginMs: ms.optional(), clientDeadline: clientDeadlineSchema.optional() })
      .strict()
      .default({}),
    /** Expected verdicts per worker: a reference kind, or a user's worker by its name (`file` or `file#export`). */
    expect: z.record(workerName, verdictsSchema),
    /** Trace hashes recorded when the file was written (counterexamples): replay must match them. */
    traceHashes: z.record(workerName, z.string().regex(/^[0-9a-f]{64}$/)).optional(),
    /** The worker a counterexample was found for; `locksim replay <file>` reruns it without flags. */
    worker: z
      .union([z.object({ kind: z.enum(workerKindNames) }).strict(), z.object({ module: z.string().min(1), export: z.string().min(1) }).strict()])
      .optional(),
    /** Where the tasks' effects land (src/resources/resource-policy.ts). Default "highest-token". */
    resource: z.enum(resourcePolicies).optional(),
    /** How a counterexample was found: the sweep's command line and options. */
    provenance: z
      .object({ command: z.string(), seed: z.number().int(), runs: z.number().int(), faults: z.array(z.string()).nullable(), path: z.string(), foundAtRun: z.number().int() })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    s.faults.forEach((f, i) => {
      if ("worker" in f && Number(f.worker.slice(1)) > s.workers.count) {
        ctx.addIssue({ code: "custom", path: ["faults", i, "worker"], message: s.workers.count >= 1 ? `one of the scenario's ${s.workers.count} worker(s), w1${s.workers.count > 1 ? `…w${s.workers.count}` : ""}` : "one of the scenario's workers (and workers.count ≥ 1)", input: f.worker });
      }
      if (f.atMs > s.horizonMs) ctx.addIssue({ code: "custom", path: ["faults", i, "atMs"], message: `a time at or before horizonMs (${s.horizonMs})`, input: f.atMs });
      if (f.type === "slow-network" && f.latencyMsMin > f.latencyMsMax) ctx.addIssue({ code: "custom", path: ["faults", i, "latencyMsMin"], message: `at most latencyMsMax (${f.latencyMsMax})`, input: f.latencyMsMin });
    });
    const ids = new Set<string>();
    s.tasks.forEach((t, i) => {
      if (ids.has(t.id)) ctx.addIssue({ code: "custom", path: ["tasks", i, "id"], message: "a task id used by no other task", input: t.id });
      ids.add(t.id);
    });
    if (Object.keys(s.expect).length === 0) ctx.addIssue({ code: "custom", path: ["expect"], message: "at least one worker kind with its expected verdicts", input: s.expect });
  });

/** A validated scenario. */
export type Scenario = z.output<typeof scenarioSchema>;
/** A scenario as written (defaults not yet applied). */
export type ScenarioInput = z.input<typeof scenarioSchema>;
