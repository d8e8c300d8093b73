import { describe, expect, it } from "vitest";
import { Host, type HostContext, type HostFactory, type HostOutcome, type HostPorts } from "../../sim/host.js";
import type { SimEvent } from "../../sim/event-queue.js";
import type { ScheduleMethodOptions, ScheduleOptions, Scheduler } from "../../sim/scheduler.js";
import { WorldAssertionError } from "../../sim/sim-errors.js";
import { LocksimError } from "../../src/errors.js";
import { Prng } from "../../sim/prng.js";

/** A scheduler that only remembers what it was asked: the host needs nothing more. */
class FakeScheduler implements Scheduler {
  nowMs = 0;
  readonly scheduled: SimEvent[] = [];

  schedule(options: ScheduleOptions): SimEvent {
    return this.enqueue(options, options.run as SimEvent["run"], undefined);
  }

  scheduleMethod<T>(options: ScheduleMethodOptions<T>): SimEvent {
    return this.enqueue(options, options.run as SimEvent["run"], options.target);
  }

  private enqueue(options: Omit<ScheduleOptions, "run">, run: SimEvent["run"], target: unknown): SimEvent {
    const event: SimEvent = {
      atMs: options.atMs ?? this.nowMs + (options.delayMs ?? 0),
      tie: 0,
      seq: this.scheduled.length,
      hostId: options.hostId,
      incarnation: options.incarnation ?? 0,
      label: options.label,
      run,
      target,
      cancelled: false,
    };
    this.scheduled.push(event);
    return event;
  }

  record(): void {}

  recordCall(): void {}

  incarnationOf(): number {
    return 0;
  }
}

const ports: HostPorts = {
  random: new Prng(1),
  call: () => Promise.reject(new Error("no network in this test")),
};

/** A program that waits until the test settles it; records what the factory was given. */
function controllable(): { factory: HostFactory; contexts: HostContext[]; signals: AbortSignal[]; finish: () => void; fail: (e: unknown) => void } {
  const contexts: HostContext[] = [];
  const signals: AbortSignal[] = [];
  const settle: { resolve?: () => void; reject?: (e: unknown) => void } = {};
  const factory: HostFactory = (ctx) => {
    contexts.push(ctx);
    return {
      run: (signal) => {
        signals.push(signal);
        return new Promise<void>((resolve, reject) => Object.assign(settle, { resolve, reject }));
      },
    };
  };
  return { factory, contexts, signals, finish: () => settle.resolve?.(), fail: (e) => settle.reject?.(e) };
}

function event(host: Host, label = "e"): SimEvent {
  return { atMs: 0, tie: 0, seq: 0, hostId: host.id, incarnation: host.incarnation, label, run: () => undefined, target: undefined, cancelled: false };
}

function expectAssertion(fn: () => unknown, operation: string, seen: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(WorldAssertionError);
  expect(caught).toBeInstanceOf(LocksimError);
  const error = caught as WorldAssertionError;
  expect(error.operation).toBe(operation);
  expect(error.context).toMatchObject({ operation, seen, hostId: "h" });
  expect(error.message).toContain(`saw ${seen}`);
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("Host lifecycle", () => {
  it("starts idle, and start runs a fresh program with the host's ports and an AbortSignal", () => {
    const p = controllable();
    const host = new Host({ id: "h", factory: p.factory, scheduler: new FakeScheduler() });
    expect([host.state, host.incarnation, host.clockRate, host.heldCount]).toEqual(["idle", 0, 1, 0]);
    host.start(ports, () => undefined);
    expect(host.state).toBe("running");
    expect(p.contexts).toHaveLength(1);
    expect(p.contexts[0]).toMatchObject({ hostId: "h", incarnation: 0, clock: host.clock, random: ports.random });
    expect(p.signals[0]!.aborted).toBe(false);
    expectAssertion(() => host.start(ports, () => undefined), "start", "running");
  });

  it("reports how the program ended and becomes exited", async () => {
    const ok = controllable();
    const a = new Host({ id: "a", factory: ok.factory, scheduler: new FakeScheduler() });
    const outcomes: HostOutcome[] = [];
    a.start(ports, (o) => outcomes.push(o));
    ok.finish();
    await flush();
    expect(a.state).toBe("exited");
    const bad = controllable();
    const b = new Host({ id: "b", factory: bad.factory, scheduler: new FakeScheduler() });
    b.start(ports, (o) => outcomes.push(o));
    const error = new Error("boom");
    bad.fail(error);
    await flush();
    expect(b.state).toBe("exited");
    expect(outcomes).toEqual([{ ok: true }, { ok: false, error }]);
  });

  it("crash moves to a new incarnation: old events are stale, held ones dropped, the old program's end unheard", async () => {
    const p = controllable();
    const host = new Host({ id: "h", factory: p.factory, scheduler: new FakeScheduler() });
    const outcomes: HostOutcome[] = [];
    host.start(ports, (o) => outcomes.push(o));
    const old = event(host);
    host.pause();
    host.hold(old);
    host.crash();
    expect([host.state, host.incarnation, host.heldCount]).toEqual(["crashed", 1, 0]);
    expect(host.isLive(old)).toBe(false);
    expect(host.isLive(event(host))).toBe(false); // nothing is live while crashed
    p.finish();
    await flush();
    expect(host.state).toBe("crashed");
    expect(outcomes).toEqual([]);
  });

  it("restart is allowed only after a crash or an exit; after an exit it moves the incarnation on", async () => {
    const p = controllable();
    const host = new Host({ id: "h", factory: p.factory, scheduler: new FakeScheduler() });
    expectAssertion(() => host.restart(), "restart", "idle");
    host.start(ports, () => undefined);
    expectAssertion(() => host.restart(), "restart", "running");
    host.pause();
    expectAssertion(() => host.restart(), "restart", "paused");
    host.crash();
    host.restart();
    expect([host.state, host.incarnation]).toEqual(["idle", 1]);
    host.start(ports, () => undefined);
    expect(p.contexts.map((c) => c.incarnation)).toEqual([0, 1]);
    p.finish();
    await flush();
    expect(host.state).toBe("exited");
    host.restart();
    expect([host.state, host.incarnation]).toEqual(["idle", 2]);
  });

  it("pause holds events in the order they came due; resume hands them back", () => {
    const host = new Host({ id: "h", factory: controllable().factory, scheduler: new FakeScheduler() });
    expectAssertion(() => host.pause(), "pause", "idle");
    host.start(ports, () => undefined);
    const [e1, e2] = [event(host, "first"), event(host, "second")];
    expectAssertion(() => host.hold(e1), "hold", "running");
    expectAssertion(() => host.resume(), "resume", "running");
    host.pause();
    expectAssertion(() => host.pause(), "pause", "paused");
    expect(host.isLive(e1)).toBe(true); // live, but the world holds it instead of running it
    host.hold(e1);
    host.hold(e2);
    expect(host.heldCount).toBe(2);
    expect(host.resume().map((e) => e.label)).toEqual(["first", "second"]);
    expect([host.state, host.heldCount]).toEqual(["running", 0]);
  });

  it("stop fires the running instance's AbortSignal with the reason", () => {
    const p = controllable();
    const host = new Host({ id: "h", factory: p.factory, scheduler: new FakeScheduler() });
    host.stop(new Error("too early")); // before the first start: nothing to stop
    host.start(ports, () => undefined);
    const reason = new Error("stopped");
    host.stop(reason);
    expect(p.signals[0]!.aborted).toBe(true);
    expect(p.signals[0]!.reason).toBe(reason);
  });

  it("setClockRate keeps the local clock continuous and stretches its timers; bad rates are refused", () => {
    const scheduler = new FakeScheduler();
    const host = new Host({ id: "h", factory: controllable().factory, scheduler });
    scheduler.nowMs = 100;
    expect(host.clock.nowMs()).toBe(100);
    host.setClockRate(2, 100);
    expect(host.clock.nowMs()).toBe(100);
    scheduler.nowMs = 150;
    expect(host.clock.nowMs()).toBe(200);
    host.setClockRate(0.5, 150);
    scheduler.nowMs = 170;
    expect(host.clock.nowMs()).toBe(210);
    void host.clock.sleepMs(5);
    // 5 local ms at half speed take 10 virtual ms; the timer is the host's own event.
    expect(scheduler.scheduled.at(-1)).toMatchObject({ atMs: 180, hostId: "h", label: "timer" });
    for (const rate of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expectAssertion(() => host.setClockRate(rate, 170), "setClockRate", String(rate));
    expect(host.clockRate).toBe(0.5);
  });
});
