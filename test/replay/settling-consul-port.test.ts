import { describe, expect, it } from "vitest";
import { AbortedError } from "../../src/errors.js";
import type { ConsulPort } from "../../src/ports/consul-port.js";
import { SettlingConsulPort } from "../../replay/settling-consul-port.js";

/** A port whose session creates answer only when the test says so. */
function slowPort(): { port: ConsulPort; answer: (id: string) => void; seen: (AbortSignal | undefined)[] } {
  const waiting: ((id: string) => void)[] = [];
  const seen: (AbortSignal | undefined)[] = [];
  const port = {
    sessionCreate: (o?: { signal?: AbortSignal }) => {
      seen.push(o?.signal);
      return new Promise<string>((resolve) => waiting.push(resolve));
    },
  } as unknown as ConsulPort;
  return { port, seen, answer: (id) => waiting.shift()?.(id) };
}

describe("SettlingConsulPort: an abandoned write still runs to its answer, and a stopped run can wait for it", () => {
  it("rejects the caller at once on abort, sends the request without the signal, and settled() waits for the answer", async () => {
    const { port, answer, seen } = slowPort();
    const settling = new SettlingConsulPort(port);
    const stop = new AbortController();
    const call = settling.sessionCreate({ name: "locksim-naive-w1", signal: stop.signal });
    stop.abort(new Error("stopped"));
    await expect(call).rejects.toBeInstanceOf(AbortedError);
    expect(seen).toEqual([undefined]);
    expect(await settling.settled(10)).toBe(1);
    const waited = settling.settled(5_000);
    answer("s-1");
    expect(await waited).toBe(0);
  });

  it("never sends a call whose signal has already aborted", async () => {
    const { port, seen } = slowPort();
    const settling = new SettlingConsulPort(port);
    await expect(settling.sessionCreate({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
    expect(seen).toEqual([]);
    expect(await settling.settled(10)).toBe(0);
  });
});
