import { describe, expect, it } from "vitest";
import { freePort } from "../../replay/consul-provider.js";

describe("freePort", () => {
  // The kernel may hand a just-released port to the next bind; an agent given one port twice
  // refuses to start ("Serf Advertise WAN address … already configured for RPC Advertise").
  it("never hands out the same port twice in one process", async () => {
    const ports: number[] = [];
    for (let i = 0; i < 200; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(200);
    for (const p of ports) expect(p).toBeGreaterThan(0);
  });
});
