// Expected errors (fault outcomes and model answers) are built without a stack trace, for speed;
// errors that mean a bug keep theirs. These tests pin which is which, and that the switch never
// leaks: Error.stackTraceLimit is what it was afterwards, even when the build throws.
import { describe, expect, it } from "vitest";
import { ConsulHttpError, ConsulUnavailableError, ExpectedError, LocksimError, withoutStack } from "../../src/errors.js";
import { RpcError } from "../../sim/consul/consul-errors.js";
import type { HttpResponse } from "../../sim/consul/http-types.js";
import { NetworkConnectionError, NetworkTimeoutError } from "../../sim/sim-errors.js";
import { SimConsulPort } from "../../sim/sim-consul-port.js";

/** Whether the error carries stack frames (lines after the message). */
function hasFrames(error: unknown): boolean {
  return error instanceof Error && /\n\s+at /.test(error.stack ?? "");
}

/** A port whose every call gets `answer`, or fails with `failure`. */
function portAnswering(answer: HttpResponse | Error): SimConsulPort {
  const call = <T>(): Promise<T> => (answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer as T));
  return new SimConsulPort({ call } as unknown as ConstructorParameters<typeof SimConsulPort>[0]);
}

describe("expected errors are stackless, bugs keep their stacks", () => {
  it("RpcError and the network's errors are ExpectedErrors without frames; other LocksimErrors keep them", () => {
    for (const e of [new RpcError("missing session"), new NetworkTimeoutError("t"), new NetworkConnectionError("c")]) {
      expect(e).toBeInstanceOf(ExpectedError);
      expect(e).toBeInstanceOf(LocksimError);
      expect(hasFrames(e)).toBe(false);
      expect(e.stack).toBe(`${e.name}: ${e.message}`);
    }
    expect(hasFrames(new LocksimError("a bug"))).toBe(true);
    expect(Error.stackTraceLimit).toBeGreaterThan(0);
  });

  it("withoutStack restores Error.stackTraceLimit, also when the build throws", () => {
    const limit = Error.stackTraceLimit;
    expect(hasFrames(withoutStack(() => new LocksimError("x")))).toBe(false);
    expect(() =>
      withoutStack(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(Error.stackTraceLimit).toBe(limit);
    expect(hasFrames(new Error("after"))).toBe(true);
  });

  it("the simulated port: 429, 500 and 503 and transport failures are stackless, another status keeps its stack", async () => {
    for (const status of [429, 500, 503]) {
      const e = await portAnswering({ status, body: "rate limit exceeded", headers: {} }).kvPut("k", "v").catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ConsulHttpError);
      expect((e as ConsulHttpError).status).toBe(status);
      expect(hasFrames(e)).toBe(false);
    }
    const bad = await portAnswering({ status: 400, body: "Missing key name", headers: {} }).kvPut("k", "v").catch((x: unknown) => x);
    expect(bad).toBeInstanceOf(ConsulHttpError);
    expect(hasFrames(bad)).toBe(true);
    for (const failure of [new NetworkTimeoutError("kv.put: no response within 10ms"), new NetworkConnectionError("kv.put: connection refused")]) {
      const e = await portAnswering(failure).kvPut("k", "v").catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ConsulUnavailableError);
      expect((e as Error).message).toBe(`kv.put: Consul unavailable: ${failure.message}`);
      expect(hasFrames(e)).toBe(false);
    }
  });
});
