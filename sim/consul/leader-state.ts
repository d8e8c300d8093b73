import type { World } from "../world.js";
import { text } from "./http-replies.js";
import type { HttpResponse } from "./http-types.js";
import type { Reply } from "./http-router.js";

/** Options of LeaderState. */
export interface LeaderStateOptions {
  world: Pick<World, "schedule">;
  /** RPCHoldTimeout (ms): how long a request waits for a leader before 500 "No cluster leader". */
  rpcHoldTimeoutMs: number;
}

/**
 * Whether the cluster has a leader, and the requests waiting for one. Without a leader a server
 * holds each RPC for up to RPCHoldTimeout and then fails it with 500 "No cluster leader"; the held
 * requests are served as soon as a new leader is elected (agent/consul/rpc.go `forward`; consul-semantics.md §6).
 */
export class LeaderState {
  private readonly world: Pick<World, "schedule">;
  private readonly rpcHoldTimeoutMs: number;
  private leaderless = false;
  private readonly heldRequests: (() => void)[] = [];

  constructor(options: LeaderStateOptions) {
    this.world = options.world;
    this.rpcHoldTimeoutMs = options.rpcHoldTimeoutMs;
  }

  /** Serves a request now if there is a leader; otherwise once one is elected, or fails it after RPCHoldTimeout. */
  serve(serve: () => Reply): Reply {
    if (!this.leaderless) return serve();
    return new Promise<HttpResponse>((resolve) => {
      let done = false;
      const timeout = this.world.schedule({
        delayMs: this.rpcHoldTimeoutMs,
        label: "consul.rpc-hold",
        run: () => {
          if (done) return;
          done = true;
          resolve(text(500, "No cluster leader"));
        },
      });
      this.heldRequests.push(() => {
        if (done) return;
        done = true;
        timeout.cancelled = true;
        resolve(serve());
      });
    });
  }

  /**
   * The leader is lost now; a new one is elected `unavailableMs` later. Then `onElected` runs (the
   * new leader's establishLeadership) and the held requests are served, in the order they came.
   */
  lose(options: { unavailableMs: number; onElected: () => void }): void {
    this.leaderless = true;
    this.world.schedule({
      delayMs: options.unavailableMs,
      label: "consul.leader",
      run: () => {
        this.leaderless = false;
        options.onElected();
        const held = this.heldRequests.splice(0);
        for (const run of held) run();
      },
    });
  }
}
