// The model skips the UUID index's check of a session id that names a stored session exactly as it
// is stored (every id a worker sends back), and the router skips its redirect lookup for paths longer
// than any redirected one. These fast paths must answer as the general ones do: an id named in
// upper case takes the general path to the same session (consul-semantics.md: go-memdb decodes
// the hex, so case does not matter), and malformed or unknown ids still get Consul's errors.
import { describe, expect, it } from "vitest";
import { ModelTarget } from "./consul-target.js";
import { createSession, expectReply, get, put } from "./conformance-cases.js";

/** A session's renew answer, less nothing: the same session must give the same bytes. */
async function renew(t: ModelTarget, id: string): Promise<{ status: number; body: string }> {
  const res = await put(t, `/v1/session/renew/${id}`);
  return { status: res.status, body: res.body };
}

describe("a stored id named as stored answers as the general path does", () => {
  it("renew, acquire and destroy: the id as created and in upper case reach the same session", async () => {
    const t = new ModelTarget("stored-id");
    const a = await createSession(t, { TTL: "10s" });
    const upper = a.toUpperCase();
    expect(upper).not.toBe(a);
    const fast = await renew(t, a);
    expect(fast.status).toBe(200);
    expect(await renew(t, upper)).toEqual(fast);
    expectReply(await put(t, `/v1/kv/${t.key("fast")}`, { acquire: a }), 200, "true");
    expectReply(await put(t, `/v1/kv/${t.key("general")}`, { acquire: upper }), 200, "true");
    // Destroyed through the general path, gone for the fast one too, and the other way round.
    expectReply(await put(t, `/v1/session/destroy/${upper}`), 200, "true");
    expect((await renew(t, a)).status).toBe(404);
    const b = await createSession(t);
    expectReply(await put(t, `/v1/session/destroy/${b}`), 200, "true");
    expect((await renew(t, b.toUpperCase())).status).toBe(404);
    for (const k of ["fast", "general"]) expect(JSON.parse((await get(t, `/v1/kv/${t.key(k)}`)).body)[0].Session).toBeUndefined();
  });

  it("ids that are not stored still get the UUID check, then the lookup (§4's error order)", async () => {
    const t = new ModelTarget("unstored-id");
    await createSession(t);
    const k = t.key("k");
    expectReply(await put(t, `/v1/kv/${k}`, { acquire: "foo" }), 500, "failed session lookup: index error: UUID must be 36 characters");
    expectReply(await put(t, `/v1/kv/${k}`, { acquire: "00000000-0000-0000-0000-000000000000" }), 500, 'invalid session "00000000-0000-0000-0000-000000000000"');
    expectReply(await put(t, "/v1/session/renew/foo"), 500, "failed session lookup: index error: UUID must be 36 characters");
    expectReply(await put(t, "/v1/session/destroy/foo"), 500, "failed session lookup: index error: UUID must be 36 characters");
    expectReply(await put(t, "/v1/session/renew/00000000-0000-0000-0000-000000000000"), 404, "Session id '00000000-0000-0000-0000-000000000000' not found");
    expectReply(await put(t, "/v1/session/destroy/00000000-0000-0000-0000-000000000000"), 200, "true");
  });

  it("every prefix row without its slash is redirected, the longest one included", async () => {
    const t = new ModelTarget("redirects");
    for (const path of ["/v1/kv", "/v1/session/destroy", "/v1/session/renew", "/v1/session/info", "/v1/agent/check/deregister", "/v1/agent/check/pass"]) {
      const res = await t.request({ method: "PUT", path });
      expect({ status: res.status, location: res.headers.location }, path).toEqual({ status: 301, location: `${path}/` });
    }
  });
});
