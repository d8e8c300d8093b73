import type { Prng } from "../prng.js";
import type { World } from "../world.js";
import { parseGoDuration } from "./go-duration.js";
import { text } from "./http-replies.js";
import type { HttpResponse } from "./http-types.js";
import type { Reply } from "./http-router.js";
import { parseUint } from "./query-values.js";

/** blockingQuery adds RandomStagger(wait / 16) to every wait (consul-semantics.md §5). */
const jitterFraction = 16;

/** One run of a read: Consul's answer and the index it carries. */
export interface QueryResult {
  index: number;
  response: HttpResponse;
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

/** What a blocking read needs: its params, which writes concern it, and the read itself. */
export interface BlockingQuery extends BlockingParams {
  /** Whether a write to `key` may change the result (memdb's watch set). */
  watches: (key: string) => boolean;
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
  watches: (key: string) => boolean;
  wake: () => void;
  /** The last result the query computed. */
  lastResponse: () => HttpResponse;
  finish: (response: HttpResponse) => void;
}

/**
 * Blocking queries (agent/consul/rpc.go `blockingQuery`): a read with an index waits until its
 * result's index passes it, re-running on every write it watches, or until its jittered wait ends;
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
      const finish = (response: HttpResponse): void => {
        if (done) return;
        done = true;
        timeout.cancelled = true;
        this.waiters.delete(waiter);
        resolve(response);
      };
      const waiter: Waiter = {
        watches: query.watches,
        finish,
        lastResponse: () => last.response,
        wake: () => {
          last = query.read();
          if (last.index > query.minIndex) finish(last.response);
        },
      };
      // On time-out Consul answers with the last result it computed, which may be stale (§5).
      const timeout = this.world.schedule({ delayMs: waitMs, label: "consul.wait", run: () => finish(last.response) });
      this.waiters.add(waiter);
    });
  }

  /** A write changed `key`: every query watching it re-runs (and answers if its index passed). */
  keyChanged(key: string): void {
    for (const w of [...this.waiters]) {
      if (w.watches(key)) w.wake();
    }
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
      this.waiters.delete(w);
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
