import { ConsulHttpError } from "../src/errors.js";
import type { ConsulPort, KvPutOptions, TxnOp } from "../src/ports/consul-port.js";
import { txnWriteVerbs } from "../sim/consul/txn-kv-ops.js";
import { Prng } from "../sim/prng.js";
import { rateLimitBodies, type RateLimitStatus } from "../sim/consul/write-rate-limit.js";
import type { RealTrace } from "./real-trace.js";

/** The ConsulPort methods that are writes for Consul's limiter, and the operation name each has in the trace. */
const writeOps: Record<string, (args: unknown[]) => string | undefined> = {
  sessionCreate: () => "session.create",
  sessionRenew: () => "session.renew",
  sessionDestroy: () => "session.destroy",
  kvPut: (args) => {
    const o = (args[2] ?? {}) as KvPutOptions;
    return o.acquire !== undefined ? "kv.acquire" : o.release !== undefined ? "kv.release" : "kv.put";
  },
  kvDelete: () => "kv.delete",
  // Consul's agent sends a transaction of reads and checks only as Txn.Read, which the 1.15 limiter
  // counts as a read (agent/txn_endpoint.go isWrite; sim/consul/write-rate-limit.ts).
  txn: (args) => ((args[0] ?? []) as readonly TxnOp[]).some((op) => txnWriteVerbs.has(op.verb)) ? "txn" : undefined,
};

/** The limiter's operation name of a ConsulPort call, or undefined for a read (or a name that is no method of the port). */
function writeOpOf(method: string, args: unknown[]): string | undefined {
  // Object.hasOwn: `toString` and the other Object.prototype names are not writes.
  return Object.hasOwn(writeOps, method) ? writeOps[method]!(args) : undefined;
}

/**
 * The rate-limit fault in the real world. Consul 1.8.7 has no server-side request limiter (it came
 * in 1.15), so the replay plays the fault where a rate-limited agent acts: before the write reaches
 * Raft. Each worker's writes pass through this limiter inside its gate; while the fault is on, a
 * seeded `fraction` of them is answered locally with the status and body Consul 1.15+ answers
 * (sim/consul/write-rate-limit.ts) and never forwarded, so the agent never sees them.
 *
 * (1.8.7's client agent does have `limits.rpc_rate`, reloadable at run time: measured, it answers
 * 429 with an empty body, but for reads as well and by token bucket, not a chosen fraction of
 * writes, and the replay's single-agent runs talk to a server, which it does not limit.)
 */
export class RealWriteLimiter {
  private active: { fraction: number; status: RateLimitStatus } | undefined;
  private readonly prng: Prng;

  constructor(private readonly options: { seed: string | number; log: RealTrace }) {
    this.prng = new Prng(`${options.seed}/rate-limit`);
  }

  start(options: { fraction: number; status: RateLimitStatus }): void {
    this.active = { ...options };
  }

  stop(): void {
    this.active = undefined;
  }

  /** The operation name of a call if the limiter refuses it now. */
  private refuses(method: string, args: unknown[]): string | undefined {
    const active = this.active;
    const op = writeOpOf(method, args);
    if (!active || op === undefined || !this.prng.chance(active.fraction)) return undefined;
    return op;
  }

  /** `inner` behind the limiter: a refused write rejects with ConsulHttpError(status, body) at once. */
  port(inner: ConsulPort): ConsulPort {
    return new Proxy(inner, {
      get: (target, name, receiver) => {
        const value: unknown = Reflect.get(target, name, receiver);
        if (typeof name !== "string" || typeof value !== "function" || !Object.hasOwn(writeOps, name)) return value;
        return (...args: unknown[]): unknown => {
          const op = this.refuses(name, args);
          if (op === undefined || !this.active) return (value as (...a: unknown[]) => unknown).apply(target, args);
          const status = this.active.status;
          this.options.log.record("consul", "consul.rate-limited", { op, status });
          return Promise.reject(new ConsulHttpError({ status, body: rateLimitBodies[status], operation: op }));
        };
      },
    });
  }
}
