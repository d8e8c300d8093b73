import { defaultBlockingWaitMs } from "./consul-wire.js";

/**
 * How long a Consul client waits for an answer before it gives up: a per-worker setting that the
 * simulated port (sim/sim-consul-port.ts), the real adapter (src/real/consul-client-port.ts) and the
 * real replay's worker gate all honour the same way (issue 12, "client deadlines differ by client").
 */
export interface ClientDeadline {
  /** Time-out of a call that is not a blocking read, in ms, counted from the send; "none": it waits for ever. */
  callTimeoutMs: number | "none";
  /**
   * Blocking reads (`?index=`): the time-out is the wait, Consul's jitter on it (wait/16) and this
   * margin, counted from the send; "none": no client time-out at all on blocking reads.
   */
  blockingExtraMs: number | "none";
  /**
   * How long after its link went silent (packets dropped, not refused) the client's TCP stack
   * declares the connection dead and fails the call with a transport error, in ms; "none": never
   * (only the time-outs above end such a call). It counts from the later of the send and the start
   * of the silence. An idle connection that waits for an answer is ended by keep-alive probes; a
   * request that is never acknowledged is retransmitted for longer on Linux (tcp_retries2 = 15, about
   * 15 minutes), so using this one figure for both understates how long a client can hang.
   */
  keepAliveGiveUpMs: number | "none";
}

/**
 * The deadline locksim's workers have always used with the `consul` npm client: 10 s per call, and
 * for a blocking read its wait + wait/16 + 10 s; no keep-alive give-up (every call ends by its own
 * time-out first). The default for every worker that names no other.
 */
export const defaultClientDeadline: ClientDeadline = { callTimeoutMs: 10_000, blockingExtraMs: 10_000, keepAliveGiveUpMs: "none" };

/**
 * The deadline of the official Go client (hashicorp/consul api), which consul-api-lock ports.
 *
 * - No time-out on any call: `api.NewHttpClient` builds `&http.Client{Transport: transport}` without
 *   `Timeout` (api/api.go), over `cleanhttp.DefaultPooledTransport()`.
 * - That transport dials with `net.Dialer{Timeout: 30s, KeepAlive: 30s}` (hashicorp/go-cleanhttp,
 *   cleanhttp.go). Go before 1.23 turns `KeepAlive` into `setKeepAlivePeriod`, which sets both
 *   TCP_KEEPIDLE and TCP_KEEPINTVL to 30 s (net/tcpsockopt_unix.go) and leaves TCP_KEEPCNT at the
 *   Linux default of 9 (net.ipv4.tcp_keepalive_probes). A silent peer is declared dead after
 *   30 s + 9 × 30 s = 300 s: 5 minutes. (Go 1.23+ keeps idle at 30 s but defaults the interval to
 *   15 s and the count to 9, net/tcpsock.go KeepAliveConfig: 165 s. Consul 1.8.7 era clients were
 *   built with Go 1.14–1.15, hence 300 s; set `keepAliveGiveUpMs` to 165_000 for a newer client.)
 */
export const goClientDeadline: ClientDeadline = { callTimeoutMs: "none", blockingExtraMs: "none", keepAliveGiveUpMs: 300_000 };

/** The time-out of one call under `deadline`, in ms; undefined: the call has none. */
export function callTimeoutMs(deadline: ClientDeadline, call: { blocking: boolean; waitMs?: number | undefined }): number | undefined {
  if (!call.blocking) return deadline.callTimeoutMs === "none" ? undefined : deadline.callTimeoutMs;
  if (deadline.blockingExtraMs === "none") return undefined;
  const w = call.waitMs ?? defaultBlockingWaitMs;
  return w + Math.ceil(w / 16) + deadline.blockingExtraMs;
}

/** The keep-alive give-up of `deadline` in ms; undefined: none. */
export function keepAliveGiveUpMs(deadline: ClientDeadline): number | undefined {
  return deadline.keepAliveGiveUpMs === "none" ? undefined : deadline.keepAliveGiveUpMs;
}

/** A short human description of a deadline, for the trace and reports ("call 10000ms, blocking wait+wait/16+10000ms, keep-alive none"). */
export function describeClientDeadline(d: ClientDeadline): string {
  const ms = (v: number | "none"): string => (v === "none" ? "none" : `${v}ms`);
  const blocking = d.blockingExtraMs === "none" ? "none" : `wait+wait/16+${d.blockingExtraMs}ms`;
  return `call ${ms(d.callTimeoutMs)}, blocking ${blocking}, keep-alive give-up ${ms(d.keepAliveGiveUpMs)}`;
}

/** Whether two deadlines are the same. */
export function sameClientDeadline(a: ClientDeadline, b: ClientDeadline): boolean {
  return a.callTimeoutMs === b.callTimeoutMs && a.blockingExtraMs === b.blockingExtraMs && a.keepAliveGiveUpMs === b.keepAliveGiveUpMs;
}
