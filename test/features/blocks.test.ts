import { describe, expect, it } from "vitest";
import { type TestUser, createChannel, expectError, expectStatus, newUser, uniqueId } from "../helpers/api";
import { api } from "../helpers/client";

const block = (user: TestUser, userID: string) => api(user.token).v1.users.me.blocks[":userID"].$put({ param: { userID } });
const unblock = (user: TestUser, userID: string) => api(user.token).v1.users.me.blocks[":userID"].$delete({ param: { userID } });
const blocks = (user: TestUser) => expectStatus(api(user.token).v1.users.me.blocks.$get({ query: {} }), 200);

describe("blocks", () => {
  it("blocks, lists and unblocks (idempotent both ways)", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    await expectStatus(block(alice, bob.id), 204);
    await expectStatus(block(alice, bob.id), 204);
    expect(await blocks(alice)).toEqual({ blocks: [{ user_id: bob.id, display_name: "Bob", created_at: expect.any(Number) }], has_more: false, next_cursor: null });
    expect(await blocks(bob)).toEqual({ blocks: [], has_more: false, next_cursor: null });
    await expectStatus(unblock(alice, bob.id), 204);
    await expectStatus(unblock(alice, bob.id), 204);
    expect(await blocks(alice)).toEqual({ blocks: [], has_more: false, next_cursor: null });
  });

  it("refuses blocking yourself or an unknown user", async () => {
    const alice = await newUser();
    await expectError(block(alice, alice.id), 400, "VALIDATION_FAILED");
    await expectError(block(alice, uniqueId()), 404, "CHAT_USER_NOT_FOUND");
    await expectError(block(alice, "bad%20id"), 400, "VALIDATION_FAILED");
    expect(await blocks(alice)).toEqual({ blocks: [], has_more: false, next_cursor: null });
  });

  it("allows a DM again after unblocking; an existing DM survives a block", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    await expectStatus(block(bob, alice.id), 204);
    await expectError(api(alice.token).v1.channels.$post({ json: { type: "dm", user_id: bob.id } }), 403, "CHAT_DM_BLOCKED_USER");
    await expectStatus(api(alice.token).v1.channels[":channelID"].$get({ param: { channelID: dm.id } }), 200);
    await expectStatus(unblock(bob, alice.id), 204);
    const again = await expectStatus(api(alice.token).v1.channels.$post({ json: { type: "dm", user_id: bob.id } }), 200);
    expect(again.id).toBe(dm.id);
  });
});
