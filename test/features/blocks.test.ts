import { describe, expect, it } from "vitest";
import { call, createChannel, expectError, newUser, uniqueId } from "../helpers/api";

describe("blocks", () => {
  it("blocks, lists and unblocks (idempotent both ways)", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    expect((await call("PUT", `/v1/users/me/blocks/${bob.id}`, { token: alice.token })).status).toBe(204);
    expect((await call("PUT", `/v1/users/me/blocks/${bob.id}`, { token: alice.token })).status).toBe(204);
    const list = await call("GET", "/v1/users/me/blocks", { token: alice.token });
    expect(list.json).toEqual({ blocks: [{ user_id: bob.id, display_name: "Bob", created_at: expect.any(Number) }], has_more: false, next_cursor: null });
    expect((await call("GET", "/v1/users/me/blocks", { token: bob.token })).json).toEqual({ blocks: [], has_more: false, next_cursor: null });
    expect((await call("DELETE", `/v1/users/me/blocks/${bob.id}`, { token: alice.token })).status).toBe(204);
    expect((await call("DELETE", `/v1/users/me/blocks/${bob.id}`, { token: alice.token })).status).toBe(204);
    expect((await call("GET", "/v1/users/me/blocks", { token: alice.token })).json).toEqual({ blocks: [], has_more: false, next_cursor: null });
  });

  it("refuses blocking yourself or an unknown user", async () => {
    const alice = await newUser();
    expectError(await call("PUT", `/v1/users/me/blocks/${alice.id}`, { token: alice.token }), 400, "VALIDATION_FAILED");
    expectError(await call("PUT", `/v1/users/me/blocks/${uniqueId()}`, { token: alice.token }), 404, "CHAT_USER_NOT_FOUND");
    expectError(await call("PUT", "/v1/users/me/blocks/bad%20id", { token: alice.token }), 400, "VALIDATION_FAILED");
  });

  it("allows a DM again after unblocking; an existing DM survives a block", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    await call("PUT", `/v1/users/me/blocks/${alice.id}`, { token: bob.token });
    expectError(await call("POST", "/v1/channels", { token: alice.token, body: { type: "dm", user_id: bob.id } }), 403, "CHAT_DM_BLOCKED_USER");
    expect((await call("GET", `/v1/channels/${dm.id}`, { token: alice.token })).status).toBe(200);
    await call("DELETE", `/v1/users/me/blocks/${alice.id}`, { token: bob.token });
    const again = await call("POST", "/v1/channels", { token: alice.token, body: { type: "dm", user_id: bob.id } });
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(dm.id);
  });
});
