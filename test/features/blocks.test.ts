import { describe, expect, it } from "vitest";
import { type TestUser, addMember, createChannel, expectError, expectStatus, newUser, send, uniqueId } from "../helpers/api";
import { api } from "../helpers/client";
import { connect } from "../helpers/ws";

const memberIds = async (user: TestUser, channelID: string) =>
  (await expectStatus(api(user.token).v1.channels[":channelID"].members.$get({ param: { channelID }, query: {} }), 200)).map((m) => m.user_id);

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

describe("blocks beyond DMs", () => {
  const read = (user: TestUser, channelID: string, messageID: string) =>
    expectStatus(api(user.token).v1.channels[":channelID"].read.$post({ param: { channelID }, json: { last_read_message_id: messageID } }), 200);
  const reads = async (user: TestUser, channelID: string) =>
    (await expectStatus(api(user.token).v1.channels[":channelID"].reads.$get({ param: { channelID }, query: {} }), 200)).reads.map((r: { user_id: string }) => r.user_id);

  it("someone who blocked you cannot be added by you to a group or room, nor put in a new group; nothing changes", async () => {
    const [alice, bob, carol] = [await newUser("Alice"), await newUser("Bob"), await newUser("Carol")];
    const group = await createChannel(alice, { type: "group", name: "Plans" });
    await expectStatus(block(bob, alice.id), 204);
    await expectError(addMember(alice, group.id, bob.id), 403, "CHAT_DM_BLOCKED_USER");
    expect(await memberIds(alice, group.id)).toEqual([alice.id]);
    await expectError(api(alice.token).v1.channels.$post({ json: { type: "group", name: "Again", member_ids: [carol.id, bob.id] } }), 403, "CHAT_DM_BLOCKED_USER");
    expect(await expectStatus(api(carol.token).v1.channels.$get({ query: {} }), 200)).toEqual([]);
    // The blocker may still add the one they blocked, and anyone else may add the blocker.
    await expectStatus(addMember(carol, (await createChannel(carol, { type: "group", name: "Carol's" })).id, bob.id), 201);
  });

  it("in a shared group the blocker's presence, typing and read receipts are hidden from the blocked user (open sockets too), not from others", async () => {
    const [alice, bob, carol] = [await newUser("Alice"), await newUser("Bob"), await newUser("Carol")];
    const group = await createChannel(carol, { type: "group", name: "Shared", member_ids: [alice.id, bob.id] });
    const bobEarly = await connect(group.id, { user: bob, presence: true });
    const aliceOpen = await connect(group.id, { user: alice, presence: true });
    expect(aliceOpen.ready.data.online_user_ids).toContain(bob.id);
    await expectStatus(block(bob, alice.id), 204);
    // Alice's open socket sees Bob go "offline"; a new one does not list him.
    expect(await aliceOpen.client.expect("presence")).toMatchObject({ data: { user_id: bob.id, online: false } });
    const aliceNew = await connect(group.id, { user: alice, presence: true });
    expect(aliceNew.ready.data.online_user_ids).not.toContain(bob.id);
    const carolSocket = await connect(group.id, { user: carol });
    expect(carolSocket.ready.data.online_user_ids).toContain(bob.id);
    for (const socket of [aliceOpen, aliceNew]) expect(await socket.client.expect("presence")).toMatchObject({ data: { user_id: carol.id, online: true } });
    await expectStatus(api(bob.token).v1.channels[":channelID"].typing.$post({ param: { channelID: group.id } }), 204);
    const message = await send(carol, group.id, "hello");
    await read(bob, group.id, message.id);
    expect(await carolSocket.client.expect("typing")).toMatchObject({ data: { user_id: bob.id } });
    expect(await carolSocket.client.expect("message")).toMatchObject({ data: { id: message.id } });
    expect(await carolSocket.client.expect("read")).toMatchObject({ data: { user_id: bob.id } });
    for (const socket of [aliceOpen, aliceNew]) {
      expect(await socket.client.expect("message")).toMatchObject({ data: { id: message.id } }); // messages still arrive
      await socket.client.expectSilence();
    }
    expect(await reads(alice, group.id)).not.toContain(bob.id);
    expect(await reads(carol, group.id)).toContain(bob.id);
    // Unblocked: Alice's open socket sees Bob online again, and his receipts.
    await expectStatus(unblock(bob, alice.id), 204);
    expect(await aliceOpen.client.expect("presence")).toMatchObject({ data: { user_id: bob.id, online: true } });
    await read(bob, group.id, message.id);
    expect(await aliceOpen.client.expect("read")).toMatchObject({ data: { user_id: bob.id } });
    expect(await reads(alice, group.id)).toContain(bob.id);
    bobEarly.client.ws.close(1000);
  });
});
