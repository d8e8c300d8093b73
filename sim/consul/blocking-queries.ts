import type { Prng } from "../prng.js";
import type { World } from "../world.js";
import { parseGoDuration } from "./go-duration.js";
import { text } from "./http-replies.js";
import type { HttpResponse } from "./http-types.js";
import type { Reply } from "./http-router.js";
import { parseUint } from "./query-values.js";
import type { WatchChannel } from "./radix-watch-index.js";

/** blockingQuery adds RandomStagger(wait / 16) to every wait (consul-semantics.md §5). */
const jitterFraction = 16;

/** One run of a read: Consul's answer, the index it carries, and the channels it watched. */
export interface QueryResult {
  index: number;
  response: HttpResponse;
  /** The memdb watch set the read built: a write that closes one of them re-runs the read. */
  watch: WatchChannel[];
}

/** A blocking read, as its query string asked for it. */
export interface BlockingParams {
  /** `?index`: block until the result's index passes it; 0 answers at once. */
  minIndex: number;
  /** `?wait` in ms; 0 when absent (the default query time then applies). */
  waitMs: number;
}

/**
 * Reads `?index` and `?wait` (and refuses `?stale` with `?consistent`) as Consul's HTTP layer
 * does: the params, or the 400 Consul answers with (§5: `Invalid index`, `Invalid wait time`).
 */
export function parseBlockingParams(query: Record<string, string>): BlockingParams | HttpResponse {
  if ("stale" in query && "consistent" in query) return text(400, "Cannot specify ?stale with ?consistent, conflicting semantics.");
  let minIndex = 0;
  if ("index" in query && query.index !== "") {
    const parsed = parseUint(query.index!);
    if (typeof parsed === "string") return text(400, "Invalid index");
    minIndex = parsed;
  }
  let waitMs = 0;
  if ("wait" in query && query.wait !== "") {
    const parsed = parseGoDuration(query.wait!);
    if (!parsed.ok) return text(400, "Invalid wait time");
    waitMs = parsed.ns / 1e6;
  }
  return { minIndex, waitMs };
}

/** What a blocking read needs: its params and the read itself (which names its watch set). */
export interface BlockingQuery extends BlockingParams {
  /** Runs the read once. */
  read: () => QueryResult;
}

/** Options of BlockingQueries; the times are Consul 1.8.7's settings (ms). */
export interface BlockingQueriesOptions {
  world: Pick<World, "schedule">;
  /** The model's seeded stream; one draw per query that blocks, for the jitter. */
  prng: Pick<Prng, "next">;
  /** DefaultQueryTime: the wait when none is given. */
  defaultQueryTimeMs: number;
  /** MaxQueryTime: the longest wait. */
  maxQueryTimeMs: number;
}

interface Waiter {
  finish: (response: HttpResponse) => void;
  /** The last result the query computed. */
  lastResponse: () => HttpResponse;
  /** Stops watching for writes (the server running it left); the query still answers later. */
  detach: () => void;
}

/**
 * Blocking queries (agent/consul/rpc.go `blockingQuery`): a read with an index waits until its
 * result's index passes it, re-running whenever a channel of its watch set closes
 * (radix-watch-index.ts), or until its jittered wait ends;
 * then it answers with the last result it computed, which may be stale (§5).
 */
export class BlockingQueries {
  private readonly world: Pick<World, "schedule">;
  private readonly prng: Pick<Prng, "next">;
  private readonly defaultQueryTimeMs: number;
  private readonly maxQueryTimeMs: number;
  private readonly waiters = new Set<Waiter>();

  constructor(options: BlockingQueriesOptions) {
    this.world = options.world;
    this.prng = options.prng;
    this.defaultQueryTimeMs = options.defaultQueryTimeMs;
    this.maxQueryTimeMs = options.maxQueryTimeMs;
  }

  /** Runs a read: at once when its index is 0 or already passed, otherwise as a blocking query. */
  run(query: BlockingQuery): Reply {
    let last = query.read();
    if (query.minIndex === 0 || last.index > query.minIndex) return last.response;
    const waitMs = this.jitteredWaitMs(query.waitMs);
    return new Promise<HttpResponse>((resolve) => {
      let done = false;
      let unsubscribe: (() => void)[] = [];
      const finish = (response: HttpResponse): void => {
        if (done) return;
        done = true;
        timeout.cancelled = true;
        for (const u of unsubscribe) u();
        this.waiters.delete(waiter);
        resolve(response);
      };
      // A closed channel re-runs the read (blockingQuery's `goto RUN_QUERY`); it answers once its
      // index passed the one asked for, and otherwise watches the new read's channels.
      const watch = (): void => {
        for (const u of unsubscribe) u();
        // Push, not map: one elements kind (PACKED) for the loops that call them (map inlined by
        // TurboFan gives HOLEY arrays, the builtin PACKED ones: "wrong map" deopts).
        unsubscribe = [];
        for (const ch of last.watch) unsubscribe.push(ch.subscribe(wake));
      };
      const wake = (): void => {
        last = query.read();
        if (last.index > query.minIndex) finish(last.response);
        else watch();
      };
      const detach = (): void => {
        for (const u of unsubscribe) u();
        unsubscribe = [];
        this.waiters.delete(waiter);
      };
      const waiter: Waiter = { finish, lastResponse: () => last.response, detach };
      // On time-out Consul answers with the last result it computed, which may be stale (§5).
      const timeout = this.world.schedule({ delayMs: waitMs, label: "consul.wait", run: () => finish(last.response) });
      this.waiters.add(waiter);
      watch();
    });
  }

  /** Answers every query in flight with `response`: the leader was lost under them. */
  failAll(response: HttpResponse): void {
    for (const w of [...this.waiters]) w.finish(response);
  }

  /**
   * The server running the queries in flight left the cluster (a graceful leadership transfer):
   * they no longer see writes, and answer with their last result at their own time-out or when
   * that server shuts down, `shutdownAfterMs` later, whichever comes first. Measured on 1.8.7: a
   * blocking read on a leader that ran `consul leave` returned 200 with its old result 13.2-13.7 s
   * later, when the process exited.
   */
  detachAll(shutdownAfterMs: number): void {
    for (const w of [...this.waiters]) {
      w.detach();
      this.world.schedule({ delayMs: shutdownAfterMs, label: "consul.server-shutdown", run: () => w.finish(w.lastResponse()) });
    }
  }

  /** Clamps the wait to MaxQueryTime, defaults it to DefaultQueryTime, adds RandomStagger(wait/16). */
  private jitteredWaitMs(requestedMs: number): number {
    let waitMs = requestedMs;
    if (waitMs > this.maxQueryTimeMs) waitMs = this.maxQueryTimeMs;
    else if (waitMs <= 0) waitMs = this.defaultQueryTimeMs;
    return waitMs + Math.floor(this.prng.next() * (waitMs / jitterFraction));
  }
}
