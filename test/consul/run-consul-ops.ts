import type { ConsulOp } from "../../properties/consul-ops.js";
import type { HttpRequest, HttpResponse } from "../../sim/consul/http-types.js";
import type { ConsulTarget } from "./consul-target.js";

const unknownId = "00000000-0000-0000-0000-00000000ffff";
const uuidPattern = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Marks a Raft index so that it can be replaced by its rank once the sequence is done. */
interface IndexMark {
  __index: number;
}

/** One normalised step: what was sent (symbolically) and what came back. */
export interface Step {
  call: string;
  status: number;
  body: unknown;
}

/** When each request of a real run was sent and answered, in ms from the sequence's start. */
export interface Timeline {
  sentAtMs: number[];
  doneAtMs: number[];
}

/** What a run returns: the steps, the timeline it followed, and (model only) calls near a deadline. */
export interface OpsRun {
  steps: Step[];
  timeline: Timeline;
  /** Index of the first step that a real agent may have served on the other side of a deadline. */
  firstAmbiguousStep: number | undefined;
}

/** How far from a model deadline a real call's [sent, answered] window must stay (ms). */
const ambiguityMarginMs = 200;

/**
 * Runs `ops` on `target` and returns the normalised answers: session ids become S0, S1…; Raft
 * indexes become labels that record their order among the indexes observed so far (so relations
 * are compared, not numbers, since a real agent burns indexes in the background and other sequences write
 * concurrently); the node name is dropped. Table indexes of misses are not compared: other
 * sequences move them on a real agent.
 */
export async function runConsulOps(target: ConsulTarget, ops: ConsulOp[], replay?: Timeline): Promise<OpsRun> {
  const sessions: string[] = [];
  const symbols = new Map<string, string>([[unknownId, "S?"]]);
  const lastModify = new Map<number, number>();
  const steps: Step[] = [];
  const t0 = target.nowMs();
  let clockS = 0;
  const sid = (s: number): string => sessions[s] ?? unknownId;
  const key = (k: number): string => target.key(`k${k}`);
  const symbol = (id: string): string => symbols.get(id) ?? id;
  const prefix = target.key("");

  const normalise = (res: HttpResponse, call: string): Step => {
    const ctype = res.headers["content-type"] ?? "";
    let body: unknown;
    if (ctype.includes("json") && res.body.trim() !== "") {
      body = JSON.parse(res.body, (k, v: unknown) => {
        if (k === "ID" || k === "Session") return typeof v === "string" ? symbol(v) : v;
        if (k === "CreateIndex" || k === "ModifyIndex") return { __index: v as number } satisfies IndexMark;
        if (k === "Node") return undefined;
        if (k === "Key" && typeof v === "string") return v.slice(prefix.length);
        return v;
      });
    } else {
      body = res.body.trim().replace(uuidPattern, (m) => symbol(m));
    }
    return { call, status: res.status, body };
  };

  const timeline: Timeline = { sentAtMs: [], doneAtMs: [] };
  let firstAmbiguousStep: number | undefined;
  const request = async (req: HttpRequest): Promise<HttpResponse> => {
    const j = timeline.sentAtMs.length;
    const sentAt = replay?.sentAtMs[j];
    // Replaying a real run: make each call at the time the real agent got it.
    if (sentAt !== undefined && t0 + sentAt > target.nowMs()) await target.sleepMs(t0 + sentAt - target.nowMs());
    const from = sentAt ?? target.nowMs() - t0;
    const to = replay?.doneAtMs[j] ?? from;
    if (replay && firstAmbiguousStep === undefined) {
      const near = target.deadlinesMs().some((d) => d - t0 >= from - ambiguityMarginMs && d - t0 <= to + ambiguityMarginMs);
      if (near) firstAmbiguousStep = steps.length;
    }
    const before = target.nowMs();
    const pending = target.send(req);
    const res = await target.wait(pending);
    timeline.sentAtMs.push((pending.startedAtMs ?? before) - t0);
    timeline.doneAtMs.push(target.nowMs() - t0);
    return res;
  };

  const send = async (req: HttpRequest, call: string, k?: number): Promise<HttpResponse> => {
    const res = await request(req);
    const step = normalise(res, call);
    if (k !== undefined && req.method === "GET") {
      if (res.status === 200) {
        const [entry] = JSON.parse(res.body) as { ModifyIndex: number }[];
        if (entry) lastModify.set(k, entry.ModifyIndex);
        step.body = { entries: step.body, index: { __index: Number(res.headers["x-consul-index"]) } satisfies IndexMark };
      } else {
        lastModify.delete(k);
      }
    }
    steps.push(step);
    return res;
  };

  for (const o of ops) {
    switch (o.op) {
      case "create": {
        const res = await send({ method: "PUT", path: "/v1/session/create", body: JSON.stringify({ TTL: o.ttl, Behavior: o.behavior, LockDelay: o.lockDelay }) }, `create ${o.ttl || "no-ttl"} ${o.behavior} ${o.lockDelay}`);
        if (res.status === 200) {
          const id = (JSON.parse(res.body) as { ID: string }).ID;
          symbols.set(id, `S${sessions.length}`);
          sessions.push(id);
          steps[steps.length - 1]!.body = { ID: symbol(id) };
        }
        break;
      }
      case "destroy":
        await send({ method: "PUT", path: `/v1/session/destroy/${sid(o.s)}` }, `destroy ${symbol(sid(o.s))}`);
        break;
      case "handover":
        await send({ method: "PUT", path: `/v1/kv/${key(o.k)}`, query: { acquire: sid(o.from) }, body: "mine" }, `acquire k${o.k} ${symbol(sid(o.from))} "mine"`);
        await send({ method: "PUT", path: `/v1/session/destroy/${sid(o.from)}` }, `destroy ${symbol(sid(o.from))}`);
        await send({ method: "PUT", path: `/v1/kv/${key(o.k)}`, query: { acquire: sid(o.to) }, body: "next" }, `acquire k${o.k} ${symbol(sid(o.to))} "next"`);
        break;
      case "renew":
        await send({ method: "PUT", path: `/v1/session/renew/${sid(o.s)}` }, `renew ${symbol(sid(o.s))}`);
        break;
      case "info": {
        const res = await request({ method: "GET", path: `/v1/session/info/${sid(o.s)}` });
        const step = normalise(res, `info ${symbol(sid(o.s))}`);
        steps.push(step);
        break;
      }
      case "acquire":
        await send({ method: "PUT", path: `/v1/kv/${key(o.k)}`, query: { acquire: sid(o.s), flags: String(o.flags) }, body: o.value }, `acquire k${o.k} ${symbol(sid(o.s))} ${JSON.stringify(o.value)} flags=${o.flags}`);
        break;
      case "release":
        await send({ method: "PUT", path: `/v1/kv/${key(o.k)}`, query: { release: sid(o.s) }, body: o.value }, `release k${o.k} ${symbol(sid(o.s))} ${JSON.stringify(o.value)}`);
        break;
      case "put":
        await send({ method: "PUT", path: `/v1/kv/${key(o.k)}`, body: o.value }, `put k${o.k} ${JSON.stringify(o.value)}`);
        break;
      case "cas": {
        const m = lastModify.get(o.k) ?? 0;
        const cas = o.mode === "zero" ? 0 : o.mode === "current" ? m : Math.max(m - 1, 1);
        await send({ method: "PUT", path: `/v1/kv/${key(o.k)}`, query: { cas: String(cas) }, body: o.value }, `cas k${o.k} ${o.mode}`);
        break;
      }
      case "delete": {
        const m = lastModify.get(o.k) ?? 0;
        const query = o.cas === "none" ? undefined : { cas: String(o.cas === "current" ? m : Math.max(m - 1, 1)) };
        await send({ method: "DELETE", path: `/v1/kv/${key(o.k)}`, query }, `delete k${o.k} cas=${o.cas}`);
        break;
      }
      case "get":
        await send({ method: "GET", path: `/v1/kv/${key(o.k)}`, query: o.consistent ? { consistent: "" } : {} }, `get k${o.k}${o.consistent ? " consistent" : ""}`, o.k);
        break;
      case "block": {
        // Only block on an index we saw on a present key: a miss carries the table index, which
        // other sequences move on a real agent.
        const m = lastModify.get(o.k);
        const query: Record<string, string> = m === undefined ? {} : { index: String(m), wait: "1s" };
        await send({ method: "GET", path: `/v1/kv/${key(o.k)}`, query }, `block k${o.k}`, o.k);
        if (m !== undefined && !replay) {
          // Back onto the whole-second grid: the wait ends at a jittered time.
          clockS = Math.floor((target.nowMs() - t0) / 1000) + 1;
          await target.sleepMs(t0 + clockS * 1000 - target.nowMs());
        }
        break;
      }
      case "sleep": {
        // A replay follows the real timeline instead.
        if (replay) break;
        clockS += o.seconds;
        const left = t0 + clockS * 1000 - target.nowMs();
        if (left > 0) await target.sleepMs(left);
        break;
      }
    }
  }
  return { steps: rankIndexes(steps), timeline, firstAmbiguousStep };
}

/**
 * Replaces every index mark by a label that depends only on earlier steps, so that two runs can
 * be compared step by step: a value seen before gets its label (#k, by first appearance); a new
 * value gets a new label and the label of the largest earlier value below it ("#5>#2"), which
 * fixes its order among everything observed so far.
 */
function rankIndexes(steps: Step[]): Step[] {
  const labels = new Map<number, string>();
  const replace = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(replace);
    if (v && typeof v === "object") {
      if ("__index" in v) {
        const n = (v as IndexMark).__index;
        const known = labels.get(n);
        if (known) return known;
        const below = [...labels.keys()].filter((x) => x < n).sort((a, b) => b - a)[0];
        const label = `#${labels.size}`;
        labels.set(n, label);
        return below === undefined ? `${label}>none` : `${label}>${labels.get(below)}`;
      }
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replace(x)]));
    }
    return v;
  };
  return steps.map((s) => replace(s) as Step);
}
