import { AbortedError, ConsulHttpError, ConsulUnavailableError, LockLostError, LocksimError, SessionInvalidatedError } from "../errors.js";
import type { Clock } from "../ports/clock.js";
import type { ConsulPort, KvEntry } from "../ports/consul-port.js";

/** Constants of hashicorp/consul api/lock.go (consul-semantics.md §5). */
export const apiLockDefaults = {
  sessionName: "Consul API Lock",
  sessionTtlMs: 15_000,
  lockWaitTimeMs: 15_000,
  lockRetryTimeMs: 5_000,
  monitorRetryTimeMs: 2_000,
  /** LockFlagValue: the flags that mark a key as an api.Lock key. */
  lockFlagValue: 0x2ddccbc058a50c18n,
} as const;

/** api.LockOptions, durations in ms. */
export interface ApiLockOptions {
  key: string;
  value?: string;
  sessionName?: string;
  sessionTtlMs?: number;
  /** Session LockDelay; undefined lets Consul use its default (15s). */
  lockDelayMs?: number | undefined;
  monitorRetries?: number;
  monitorRetryTimeMs?: number;
  lockWaitTimeMs?: number;
  lockTryOnce?: boolean;
  /** Called when RenewPeriodic or monitorLock ends, with the error that ended it (null: clean). */
  onEvent?: (kind: "renew.end" | "monitor.end", error: Error | null) => void;
}

/** api.ErrLockHeld */
export class LockHeldError extends LocksimError {}
/** api.ErrLockConflict: the key exists with other flags, so it is not an api.Lock key. */
export class LockConflictError extends LocksimError {}
/** api.ErrLockNotHeld */
export class LockNotHeldError extends LocksimError {}

const flagValueAsRead = Number(apiLockDefaults.lockFlagValue);

/** IsRetryableError: a transport error, or a 500 (consul-semantics.md §5). */
function isRetryable(error: unknown): boolean {
  return error instanceof ConsulUnavailableError || (error instanceof ConsulHttpError && error.status === 500);
}

/**
 * A port of the Go client's `api.Lock` with `RenewPeriodic` (hashicorp/consul api/lock.go,
 * api/session.go): the same constants, the same loop, the same ways of failing. Notably, nothing
 * links RenewPeriodic's failure to the lock: only `monitorLock`'s `?consistent` blocking reads
 * notice a lost lock (§5, issue #2371).
 *
 * How soon a monitor read fails is the client's deadline, not this code's: the Go client has no
 * time-out on any call (its http.Client has no Timeout) and gives up on a silent connection only
 * when TCP keep-alive does, about 5 minutes in (`goClientDeadline`, src/client-deadline.ts, which
 * consulApiLockWorker's port applies). Behind a partition that drops packets, a holder therefore
 * keeps its lock-lost channel open for minutes after Consul gave the lock to someone else.
 */
export class ConsulApiLock {
  private readonly opts: Required<Omit<ApiLockOptions, "lockDelayMs" | "onEvent">> & Pick<ApiLockOptions, "lockDelayMs" | "onEvent">;
  private isHeld = false;
  private lockSession = "";
  private sessionRenew: AbortController | undefined;

  constructor(
    private readonly consul: ConsulPort,
    private readonly clock: Clock,
    options: ApiLockOptions,
  ) {
    this.opts = {
      value: "",
      sessionName: apiLockDefaults.sessionName,
      sessionTtlMs: apiLockDefaults.sessionTtlMs,
      monitorRetries: 0,
      monitorRetryTimeMs: apiLockDefaults.monitorRetryTimeMs,
      lockWaitTimeMs: apiLockDefaults.lockWaitTimeMs,
      lockTryOnce: false,
      ...options,
    };
  }

  /** The session this lock holds (or "" when it holds none). */
  get session(): string {
    return this.lockSession;
  }

  /**
   * Lock(stopCh): resolves with a signal that aborts when the lock is lost (Go's leaderCh), or null
   * when `stop` aborted or, with lockTryOnce, the wait ran out. Go returns (nil, nil) then, and
   * callers must treat that as "not acquired" (vitess#8309).
   */
  async lock(stop: AbortSignal): Promise<AbortSignal | null> {
    if (this.isHeld) throw new LockHeldError("Lock already held");
    this.lockSession = await this.createSession();
    this.sessionRenew = new AbortController();
    void this.renewPeriodic(this.lockSession, this.sessionRenew.signal);
    try {
      const held = await this.acquireLoop(stop);
      if (!held) return null;
      const leader = new AbortController();
      void this.monitorLock(this.lockSession, leader);
      this.isHeld = true;
      return leader.signal;
    } finally {
      // If we fail to acquire the lock, clean up the session (its renewer destroys it).
      if (!this.isHeld) {
        this.sessionRenew?.abort();
        this.sessionRenew = undefined;
      }
    }
  }

  private async createSession(): Promise<string> {
    return this.consul.sessionCreate({ name: this.opts.sessionName, ttlMs: this.opts.sessionTtlMs, lockDelayMs: this.opts.lockDelayMs });
  }

  private async acquireLoop(stop: AbortSignal): Promise<boolean> {
    const start = this.clock.nowMs();
    let attempts = 0;
    let waitIndex = 0;
    let waitMs = this.opts.lockWaitTimeMs;
    for (;;) {
      if (stop.aborted) return false;
      if (this.opts.lockTryOnce && attempts > 0) {
        const elapsed = this.clock.nowMs() - start;
        if (elapsed > this.opts.lockWaitTimeMs) return false;
        waitMs = this.opts.lockWaitTimeMs - elapsed;
      }
      attempts++;
      let read = await this.get(waitIndex, waitMs, stop);
      if (read === null) return false;
      let pair = read.entry;
      if (pair && pair.flags !== flagValueAsRead) throw new LockConflictError("Existing key does not match lock use");
      if (pair && pair.session === this.lockSession) return true;
      if (pair && pair.session) {
        waitIndex = read.index;
        continue;
      }
      const locked = await this.consul.kvPut(this.opts.key, this.opts.value, { acquire: this.lockSession, flags: apiLockDefaults.lockFlagValue });
      if (locked) return true;
      // Why did it fail? A holder means we can long-poll; none means lock-delay: sleep 5s.
      read = await this.get(0, waitMs, stop);
      if (read === null) return false;
      pair = read.entry;
      if (pair && pair.session) {
        waitIndex = read.index;
        continue;
      }
      try {
        await this.clock.sleepMs(apiLockDefaults.lockRetryTimeMs, stop);
      } catch {
        return false;
      }
      waitIndex = 0;
    }
  }

  private async get(index: number, waitMs: number, stop: AbortSignal): Promise<{ entry: KvEntry | null; index: number } | null> {
    try {
      return await this.consul.kvGet(this.opts.key, { index, waitMs, signal: stop });
    } catch (error) {
      if (error instanceof AbortedError) return null;
      throw error;
    }
  }

  /** monitorLock: blocking `?consistent` reads until the key is gone, not ours, or a read fails. */
  private async monitorLock(session: string, leader: AbortController): Promise<void> {
    let waitIndex = 0;
    let reason: Error;
    for (;;) {
      let retries = this.opts.monitorRetries;
      let result: { entry: KvEntry | null; index: number } | undefined;
      for (;;) {
        try {
          result = await this.consul.kvGet(this.opts.key, { index: waitIndex, consistent: true });
          break;
        } catch (error) {
          if (retries > 0 && isRetryable(error)) {
            await this.clock.sleepMs(this.opts.monitorRetryTimeMs);
            retries--;
            waitIndex = 0;
            continue;
          }
          reason = error instanceof Error ? error : new Error(String(error));
          this.opts.onEvent?.("monitor.end", reason);
          leader.abort(new LockLostError(`lock monitor stopped: ${reason.message}`, { key: this.opts.key }));
          return;
        }
      }
      if (result.entry && result.entry.session === session) {
        waitIndex = result.index;
        continue;
      }
      const why = !result.entry ? "the lock key is gone" : result.entry.session ? "the lock key is held by another session" : "the lock key was released";
      reason = new LockLostError(why, { key: this.opts.key, session });
      this.opts.onEvent?.("monitor.end", reason);
      leader.abort(reason);
      return;
    }
  }

  /** RenewPeriodic: renew every TTL/2; on errors retry every 1s until TTL has passed; 404 ends it. */
  private async renewPeriodic(id: string, done: AbortSignal): Promise<void> {
    let ttlMs = this.opts.sessionTtlMs;
    let waitMs = ttlMs / 2;
    let lastRenewMs = this.clock.nowMs();
    let lastError: Error | null = null;
    for (;;) {
      if (this.clock.nowMs() - lastRenewMs > ttlMs) {
        this.opts.onEvent?.("renew.end", lastError);
        return;
      }
      try {
        await this.clock.sleepMs(waitMs, done);
      } catch {
        // doneCh closed: attempt a destroy.
        await this.consul.sessionDestroy(id).catch(() => undefined);
        this.opts.onEvent?.("renew.end", null);
        return;
      }
      try {
        const entry = await this.consul.sessionRenew(id);
        if (entry === null) {
          this.opts.onEvent?.("renew.end", new SessionInvalidatedError("session expired", { session: id }));
          return;
        }
        // Handle the server updating the TTL.
        if (entry.ttl) ttlMs = parseGoSeconds(entry.ttl) ?? ttlMs;
        waitMs = ttlMs / 2;
        lastRenewMs = this.clock.nowMs();
      } catch (error) {
        waitMs = 1_000;
        lastError = error instanceof Error ? error : new Error(String(error));
      }
    }
  }

  /** Unlock: release the key (with the lock's flags and value), then stop the renewer, which destroys the session. */
  async unlock(): Promise<void> {
    if (!this.isHeld) throw new LockNotHeldError("Lock not held");
    this.isHeld = false;
    const session = this.lockSession;
    this.lockSession = "";
    try {
      await this.consul.kvPut(this.opts.key, this.opts.value, { release: session, flags: apiLockDefaults.lockFlagValue });
    } finally {
      this.sessionRenew?.abort();
      this.sessionRenew = undefined;
    }
  }
}

/** Parses the TTL strings Consul returns for sessions we created ("15s", "1500ms"); undefined otherwise. */
function parseGoSeconds(ttl: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(ttl);
  if (!m) return undefined;
  const scale = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
  return Number(m[1]) * scale;
}
