import type { World } from "../world.js";
import { text } from "./http-replies.js";
import type { HttpResponse } from "./http-types.js";
import type { Reply } from "./http-router.js";

/**
 * What the client agent answers to a request that was waiting on the leader when the leader's
 * process died: its RPC connection closes under it. Measured on 1.8.7 (3 servers + a client agent,
 * leader SIGKILLed; consul-semantics.md §2): blocking reads in flight, and any request in flight,
 * answer at once 500 `rpc error making call: EOF` (with the prefix twice when the client agent's
 * server forwards to the leader).
 */
export const leaderGoneText = "rpc error making call: EOF";

/**
 * What the client agent answers while the servers still believe the dead leader leads: the
 * forward to its RPC port is refused at once (agent/pool/pool.go dial). Measured on 1.8.7 for
 * every request, reads and writes alike, for about half of the leaderless time (1.5-2.4 s of
 * 3.0-4.2 s with raft_multiplier 1), with the local port printed as 0 and the leader's RPC port
 * (8300 by default).
 */
export const leaderUnreachableText = "rpc error making call: rpc error getting client: failed to get conn: dial tcp 127.0.0.1:0->127.0.0.1:8300: connect: connection refused";

/**
 * How long a leader that runs `consul leave` keeps running after it started to leave (ms): its
 * blocking queries answer when it exits. Measured on 1.8.7 (3 servers, raft_multiplier 1): the
 * process exited 13.8-14.3 s after the leave began, its blocking reads answered at 13.2-13.7 s.
 */
export const leaveShutdownMs = 13_500;

/** Options of LeaderState. */
export interface LeaderStateOptions {
  world: Pick<World, "schedule">;
  /** RPCHoldTimeout (ms): how long a request waits for a leader before 500 "No cluster leader". */
  rpcHoldTimeoutMs: number;
}

/** Where the cluster is in a leader change. */
type Phase = "leader" | "stale-leader" | "leaderless";

/** How a leader change goes (ms from its start). */
export interface LeaderLoss {
  /** When the new leader is elected and serves. */
  unavailableMs: number;
  /**
   * How long requests fail at once with `failFast` (the servers still point at the gone leader);
   * after it they are held until the election, or RPCHoldTimeout. Default 0.
   */
  failFastMs?: number;
  /** The 500 body of a request in the fail-fast phase. Default leaderUnreachableText. */
  failFast?: string;
  /** The new leader's establishLeadership. */
  onElected: () => void;
}

/**
 * Whether the cluster has a leader, and the requests waiting for one (agent/consul/rpc.go
 * `forward`, consul-semantics.md §2 and §6). After the leader dies the servers first still point at
 * it and every request fails at once (`failFastMs`); once they notice (Raft's heartbeat timeout) a
 * server holds each RPC for up to RPCHoldTimeout and then fails it with 500 "No cluster leader";
 * the held requests are served as soon as a new leader is elected.
 */
export class LeaderState {
  private readonly world: Pick<World, "schedule">;
  private readonly rpcHoldTimeoutMs: number;
  private phase: Phase = "leader";
  private failFast = leaderUnreachableText;
  /** Counts leader losses, so that a loss during an election supersedes the earlier one's timers. */
  private losses = 0;
  private readonly heldRequests: (() => void)[] = [];

  constructor(options: LeaderStateOptions) {
    this.world = options.world;
    this.rpcHoldTimeoutMs = options.rpcHoldTimeoutMs;
  }

  /** Whether a leader serves now. */
  get hasLeader(): boolean {
    return this.phase === "leader";
  }

  /** Serves a request now if there is a leader; fails it at once while the servers point at a dead one; otherwise holds it. */
  serve(serve: () => Reply): Reply {
    if (this.phase === "leader") return serve();
    if (this.phase === "stale-leader") return text(500, this.failFast);
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
   * The leader is lost now; requests fail at once for `failFastMs`, are held after that, and a new
   * leader is elected `unavailableMs` after the loss. Then `onElected` runs (the new leader's
   * establishLeadership) and the held requests are served, in the order they came.
   */
  lose(loss: LeaderLoss): void {
    const failFastMs = Math.min(loss.failFastMs ?? 0, loss.unavailableMs);
    const lossNumber = ++this.losses;
    this.failFast = loss.failFast ?? leaderUnreachableText;
    this.phase = failFastMs > 0 ? "stale-leader" : "leaderless";
    if (failFastMs > 0) {
      this.world.schedule({
        delayMs: failFastMs,
        label: "consul.leader-noticed",
        run: () => {
          if (lossNumber === this.losses && this.phase === "stale-leader") this.phase = "leaderless";
        },
      });
    }
    this.world.schedule({
      delayMs: loss.unavailableMs,
      label: "consul.leader",
      run: () => {
        // A later loss (during this election) has its own election; this one never completes.
        if (lossNumber !== this.losses) return;
        this.phase = "leader";
        loss.onElected();
        const held = this.heldRequests.splice(0);
        for (const run of held) run();
      },
    });
  }
}
