import { describe, expect, it } from "vitest";
import { isLoopbackAddr, normalizeConsulAddr } from "../../replay/consul-provider.js";
import { cleanupTarget } from "../../cli/cleanup-command.js";
import { InputError } from "../../src/errors.js";

describe("Consul addresses are input: normalised, or refused as bad input naming where they came from", () => {
  it("normalises host:port and trailing slashes", () => {
    expect(normalizeConsulAddr("127.0.0.1:8500")).toBe("http://127.0.0.1:8500");
    expect(normalizeConsulAddr(" http://localhost:8500/ ")).toBe("http://localhost:8500");
    expect(normalizeConsulAddr("https://[::1]:8501")).toBe("https://[::1]:8501");
    expect(isLoopbackAddr("http://[::1]:8500")).toBe(true);
    expect(isLoopbackAddr("http://127.3.4.5:8500")).toBe(true);
    expect(isLoopbackAddr("http://10.0.0.1:8500")).toBe(false);
  });

  it.each([
    ["http://[::1", /is not a URL/],
    ["ftp://127.0.0.1:8500", /scheme ftp:/],
    ["http://user:pw@127.0.0.1:8500", /credentials in the URL/],
    ["127.0.0.1:8500/v1/kv", /a path or query/],
    ["http://127.0.0.1:notaport", /is not a URL/],
  ])("%s is bad input", (raw, why) => {
    expect(() => normalizeConsulAddr(raw, "--consul-addr")).toThrow(InputError);
    expect(() => normalizeConsulAddr(raw, "--consul-addr")).toThrow(why);
  });

  it("cleanup uses --consul-addr, else CONSUL_HTTP_ADDR, else Consul's default, and refuses a remote agent unless allowed", () => {
    expect(cleanupTarget({ consulAddr: "127.0.0.1:9" }, { CONSUL_HTTP_ADDR: "127.0.0.1:7" })).toBe("http://127.0.0.1:9");
    expect(cleanupTarget({}, { CONSUL_HTTP_ADDR: "127.0.0.1:7" })).toBe("http://127.0.0.1:7");
    expect(cleanupTarget({}, {})).toBe("http://127.0.0.1:8500");
    expect(() => cleanupTarget({}, { CONSUL_HTTP_ADDR: "10.0.0.1:8500" })).toThrow(/CONSUL_HTTP_ADDR http:\/\/10\.0\.0\.1:8500 is not on loopback/);
    expect(cleanupTarget({ allowRemote: true }, { CONSUL_HTTP_ADDR: "10.0.0.1:8500" })).toBe("http://10.0.0.1:8500");
  });
});
