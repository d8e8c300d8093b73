import { badRoutes, checkBodies, oddKeyNames, overflowBodies, type ConsulOp } from "../../properties/consul-ops.js";
import type { HttpRequest, HttpResponse } from "../../sim/consul/http-types.js";
import type { ConsulTarget, Pending } from "./consul-target.js";

const unknownId = "00000000-0000-0000-0000-00000000ffff";
const uuidPattern = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** A blocking read of the new areas waits this long (ms). */
const blockWaitMs = 2_000;

/** Marks a Raft index so that it can be replaced by its rank once the sequence is done. */
interface IndexMark {
  __index: number;
}

/** One normalised step: what was sent (symbolically) and what came back. */
export interface Step {
  call: string;
  status: number;
  body: unknown;
  /** Content type, Allow and Location (the key prefix cut out), when the answer has them. */
  headers?: Record<string, string>;
  /** Blocking reads: whether the read was re-run after the write made during its wait. */
  woken?: boolean;
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
  // An id in upper case names the same session (`^` marks the case); a KV holder keeps its case.
  const symbol = (id: string): string => {
    const found = symbols.get(id) ?? symbols.get(id.toLowerCase());
    if (found === undefined) return id;
    return id === id.toLowerCase() ? found : `${found}^`;
  };
  const prefix = target.key("");
  const check = target.unique("chk");
  const encodedPrefix = encodeURIComponent(prefix);
  const scrub = (text: string): string => text.replaceAll(prefix, "").replaceAll(encodedPrefix, "").replaceAll(check, "CHK");
  const kvPath = (name: string): string => `/v1/kv/${encodeURIComponent(`${prefix}${name}`)}`;

  const normalise = (res: HttpResponse, call: string): Step => {
    const ctype = res.headers["content-type"] ?? "";
    let body: unknown;
    if (ctype.includes("json") && res.body.trim() !== "") {
      body = JSON.parse(res.body, (k, v: unknown) => {
        if (k === "ID" || k === "Session") return typeof v === "string" ? scrub(symbol(v)) : v;
        if (k === "CreateIndex" || k === "ModifyIndex") return { __index: v as number } satisfies IndexMark;
        if (k === "Node") return undefined;
        if (k === "Key" && typeof v === "string") return v.slice(prefix.length);
        if (typeof v === "string") return scrub(v);
        return v;
      });
    } else {
      body = scrub(res.body.trim()).replace(uuidPattern, (m) => symbol(m));
    }
    const headers: Record<string, string> = {};
    if (res.headers["content-type"] !== undefined) headers.ctype = res.headers["content-type"];
    if (res.headers.allow !== undefined) headers.allow = res.headers.allow;
    if (res.headers.location !== undefined) headers.location = scrub(res.headers.location);
    return { call, status: res.status, body, headers };
  };

  const timeline: Timeline = { sentAtMs: [], doneAtMs: [] };
  let firstAmbiguousStep: number | undefined;
  /** Sends a request at its replayed time and reserves its timeline slot; `done` fills the slot. */
  const begin = async (req: HttpRequest): Promise<{ j: number; pending: Pending; done: Promise<HttpResponse> }> => {
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
    timeline.sentAtMs.push(Number.NaN);
    timeline.doneAtMs.push(Number.NaN);
    const done = pending.promise.then((res) => {
      timeline.sentAtMs[j] = (pending.startedAtMs ?? before) - t0;
      timeline.doneAtMs[j] = target.nowMs() - t0;
      return res;
    });
    return { j, pending, done };
  };
  const request = async (req: HttpRequest): Promise<HttpResponse> => {
    const started = await begin(req);
    await target.wait(started.pending);
    return started.done;
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

  /** Creates a session with a raw body; a created one gets its symbol, and its info is compared too. */
  const createWith = async (body: string, call: string): Promise<void> => {
    const res = await send({ method: "PUT", path: "/v1/session/create", body }, call);
    if (res.status !== 200) return;
    const id = (JSON.parse(res.body) as { ID: string }).ID;
    symbols.set(id, `S${sessions.length}`);
    sessions.push(id);
    steps[steps.length - 1]!.body = { ID: symbol(id) };
    await send({ method: "GET", path: `/v1/session/info/${id}` }, `info ${symbol(id)}`);
  };

  /** Back onto the whole-second grid after a blocking read (its wait ends at a jittered time). */
  const backOnGrid = async (): Promise<void> => {
    if (replay) return;
    clockS = Math.floor((target.nowMs() - t0) / 1000) + 1;
    await target.sleepMs(t0 + clockS * 1000 - target.nowMs());
  };

  /**
   * A blocking read with an index above any real one (so it always waits its full 2s, and answers
   * with the last result it computed), with `during` sent once it is in place. On a real agent
   * other sequences move the table indexes all the time, so whether the read was woken is not
   * told by its timing but by its answer: `wokenBy` reads the index of the write made during the
   * wait; the read was re-run after that write iff its answer's index is at least that.
   */
  const blockingRead = async (path: string, call: string, during: (() => Promise<unknown>) | undefined, wokenBy?: () => Promise<number>): Promise<void> => {
    const blocked = await begin({ method: "GET", path, query: { index: "9007199254740991", wait: `${blockWaitMs / 1000}s` } });
    // The read must be in place on the agent before the write is sent (separate connections).
    if (!replay) await target.sleepMs(150);
    if (during) await during();
    await target.wait(blocked.pending);
    const res = await blocked.done;
    const step = normalise(res, call);
    steps.push(step);
    if (wokenBy) step.woken = Number(res.headers["x-consul-index"]) >= (await wokenBy());
  };

  // Set-up: keys that give the prefix's subtree its shape (so that the nodes a missing key's
  // lookup stops at belong to this sequence alone), and a passing 10.5s TTL check.
  for (const anchor of ["a/p1", "a/p2", "z/x"]) await send({ method: "PUT", path: kvPath(anchor), body: "anchor" }, `put ${anchor}`);
  await send({ method: "PUT", path: "/v1/agent/check/register", body: JSON.stringify({ Name: check, TTL: "10.5s", Status: "passing" }) }, "register CHK");
  if (!replay) {
    clockS = 1;
    await target.sleepMs(t0 + 1000 - target.nowMs());
  }

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
      case "blockMissing": {
        const written = o.write === "sibling" ? `a/p${3 + (steps.length % 5)}` : o.write === "elsewhere" ? "z/y" : undefined;
        const during = written === undefined ? undefined : () => send({ method: "PUT", path: kvPath(written), body: `w${steps.length}` }, `put ${written.startsWith("a/") ? "a/p*" : written}`);
        const wokenBy = written === undefined ? undefined : async (): Promise<number> => {
          const res = await send({ method: "GET", path: kvPath(written) }, `get ${written.startsWith("a/") ? "a/p*" : written}`);
          return (JSON.parse(res.body) as { ModifyIndex: number }[])[0]!.ModifyIndex;
        };
        await blockingRead(kvPath(o.name), `block-missing ${o.name} then ${o.write}`, during, wokenBy);
        await backOnGrid();
        break;
      }
      case "bigValue": {
        const query: Record<string, string> = o.mode === "cas" ? { cas: "0" } : o.mode === "acquire" ? { acquire: sid(0) } : {};
        const bytes = 524_288 + (o.over ? 1 : 0);
        await send({ method: "PUT", path: `/v1/kv/${key(o.k)}`, query, body: "x".repeat(bytes) }, `big ${o.mode} k${o.k} ${bytes} bytes`);
        break;
      }
      case "oddKey": {
        const name = oddKeyNames[o.name]!;
        const method = o.action === "put" ? "PUT" : o.action === "get" ? "GET" : "DELETE";
        await send({ method, path: kvPath(name), body: method === "PUT" ? "v" : undefined }, `${o.action} ${JSON.stringify(name)}`);
        break;
      }
      case "emptyKey":
        await send({ method: o.method, path: "/v1/kv/", body: o.method === "PUT" ? "v" : undefined }, `${o.method} /v1/kv/`);
        break;
      case "createChecks":
        await createWith(JSON.stringify(checkBodies[o.variant]).replaceAll("CHK", check), `create checks ${JSON.stringify(checkBodies[o.variant])}`);
        break;
      case "checkPass":
        await send({ method: "PUT", path: `/v1/agent/check/pass/${check}` }, "pass CHK");
        break;
      case "createOverflow":
        await createWith(overflowBodies[o.variant]!, `create ${overflowBodies[o.variant]!}`);
        break;
      case "upper": {
        const id = sid(o.s).toUpperCase();
        const label = `${o.action} ${symbol(id)}`;
        if (o.action === "acquire") await send({ method: "PUT", path: `/v1/kv/${key(o.k)}`, query: { acquire: id }, body: "U" }, `${label} k${o.k}`);
        else if (o.action === "release") await send({ method: "PUT", path: `/v1/kv/${key(o.k)}`, query: { release: id } }, `${label} k${o.k}`);
        else if (o.action === "info") await send({ method: "GET", path: `/v1/session/info/${id}` }, label);
        else await send({ method: "PUT", path: `/v1/session/${o.action}/${id}` }, label);
        break;
      }
      case "blockInfo": {
        const id = sid(o.s);
        const during = {
          renew: () => send({ method: "PUT", path: `/v1/session/renew/${id}` }, `renew ${symbol(id)}`),
          destroy: () => send({ method: "PUT", path: `/v1/session/destroy/${id}` }, `destroy ${symbol(id)}`),
          create: () => createWith("{}", "create {}"),
          none: undefined,
        }[o.during];
        // Its answer tells whether it was woken: the session, or [] once it is gone.
        await blockingRead(`/v1/session/info/${id}`, `block-info ${symbol(id)} then ${o.during}`, during);
        await backOnGrid();
        break;
      }
      case "list": {
        const res = await request({ method: "GET", path: kvPath(o.prefix), query: { recurse: "" } });
        const step = normalise(res, `list ${JSON.stringify(o.prefix)}`);
        // A list with entries carries an index of this sequence's own writes; an empty one may carry the table's.
        if (res.status === 200) step.body = { entries: step.body, index: { __index: Number(res.headers["x-consul-index"]) } satisfies IndexMark };
        steps.push(step);
        break;
      }
      case "deleteTree":
        await send({ method: "DELETE", path: kvPath(o.prefix), query: o.cas ? { recurse: "", cas: "0" } : { recurse: "" } }, `delete-tree ${JSON.stringify(o.prefix)}${o.cas ? " cas" : ""}`);
        break;
      case "badRoute": {
        const r = badRoutes[o.variant]!;
        await send({ method: r.method, path: r.path }, `${r.method} ${r.path}`);
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
