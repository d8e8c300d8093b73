import type { SimEvent } from "./event-queue.js";

// The types of the simulated network (sim/network.ts): calls, links, partitions, held messages.

/** Which direction a partition cuts. */
export type PartitionMode = "requests" | "responses" | "both";

/**
 * How a partition cuts (issue 12, "real partitions come in two kinds"):
 * - `drop`: packets vanish. A call neither answers nor fails until the client's own deadline or its
 *   TCP keep-alive gives up; what was sent meanwhile is retransmitted by TCP and delivered after the
 *   heal if the caller still waits (its connection survived).
 * - `reject`: connections are refused or reset. A request sent into it fails at once (the server
 *   never sees it); an answer that meets it becomes a reset after the server acted, so the caller
 *   gets a transport error for a call that may have taken effect (the indeterminate case).
 *   Rejection acts on messages, as drops do: a call already in flight when the partition starts is
 *   not reset then; its answer meets the partition on its way back (`responses`, `both`) and
 *   becomes a reset at that moment. `both` is `requests` for new calls (the server never sees them).
 */
export type PartitionKind = "drop" | "reject";

/** A call that is still (or was) awaited: what the partition machinery needs to know of it. */
export interface PendingCall {
  hostId: string;
  callId: number;
  op: string;
  /** The caller's incarnation when it sent the call: a crash since means nobody waits any more. */
  incarnation: number;
  sentAtMs: number;
  /** The caller's keep-alive give-up (ms of silence), or undefined: none. */
  keepAliveGiveUpMs: number | undefined;
  /** Whether the caller stopped waiting: answered, failed, timed out or aborted. */
  settled: boolean;
  /** Fails the call with a transport error (if it is still awaited). */
  fail(error: Error): void;
  /** The pending keep-alive give-up, while a drop partition keeps the link silent. */
  keepAlive: SimEvent | undefined;
}

/** A message a drop partition swallowed; TCP retransmits it after the heal if its call is still awaited. */
export interface HeldMessage {
  call: PendingCall;
  dir: "request" | "response";
  /** Sends it again (schedules its delivery with a fresh latency). */
  resend: () => void;
}

/** Options of one call. */
export interface NetworkCallOptions {
  /** Give up (reject with NetworkTimeoutError) after this many ms without a response; undefined: never. */
  timeoutMs: number | undefined;
  /**
   * The caller's TCP keep-alive: while a drop partition keeps its link silent, the call fails with
   * NetworkConnectionError this many ms after the later of the send and the start of the silence.
   * Undefined: never (only `timeoutMs` ends the call). See ClientDeadline (src/client-deadline.ts).
   */
  keepAliveGiveUpMs?: number | undefined;
  /** Abort the wait; the request may still reach the service. */
  signal?: AbortSignal | undefined;
  /** A short name of the operation, for the trace (e.g. "kv.put"). */
  op?: string;
}

/** A service handler: runs when the request arrives; its result (or promise) is the response. */
export type ServiceHandler = (request: unknown, meta: { from: string; callId: number }) => unknown;

/** Per-host link settings. Latencies are one-way, drawn uniformly in [min, max]. */
export interface LinkSettings {
  latencyMsMin: number;
  latencyMsMax: number;
  /** Probability that a request is lost on the way to the service (for good: a lost connection). */
  requestLossRate: number;
  /** Probability that a response is lost on the way back (the service acted; lost for good). */
  responseLossRate: number;
  partition: PartitionMode | undefined;
  /** How the partition cuts, while there is one. Default "drop". */
  partitionKind: PartitionKind;
}

/** Default link: 1–5 ms each way, no loss, not partitioned. */
export const defaultLinkSettings: LinkSettings = {
  latencyMsMin: 1,
  latencyMsMax: 5,
  requestLossRate: 0,
  responseLossRate: 0,
  partition: undefined,
  partitionKind: "drop",
};
