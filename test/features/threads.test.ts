import { describe, expect, it } from "vitest";
import { type TestUser, createChannel, expectError, expectStatus, listed, newUser, send, upload } from "../helpers/api";
import { api } from "../helpers/client";
import { SHARDS, channelOnShard, shardOf } from "../helpers/shards";
import { connect } from "../helpers/ws";

async function setup(shard?: string) {
  const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
  const make = () => createChannel(alice, { type: "group", name: "T", member_ids: [bob.id] });
  const group = shard ? await channelOnShard(shard, make) : await make();
  const root = await send(alice, group.id, "root");
  const reply = (user: TestUser, parentId: string, body = "a reply", header = {}) => send(user, group.id, { body, parent_id: parentId }, header);
  const messages = (user: TestUser) => api(user.token).v1.channels[":channelID"].messages;
  const topLevel = async (user = alice) => (await expectStatus(messages(user).$get({ param: { channelID: group.id }, query: {} }), 200)).messages;
  const replies = (user: TestUser, rootId: string, query: { limit?: string; before?: string; after?: string } = {}) =>
    messages(user)[":messageID"].replies.$get({ param: { channelID: group.id, messageID: rootId }, query });
  const remove = (user: TestUser, messageID: string) => messages(user)[":messageID"].$delete({ param: { channelID: group.id, messageID } });
  const rows = async () =>
    (await (await shardOf(group.id)).prepare("select id, position, parent_id, reply_count, last_reply_at from messages where channel_id = ? order by id").bind(group.id).all<Record<string, unknown>>()).results;
  return { alice, bob, group, root, reply, messages, topLevel, replies, remove, rows };
}

describe("threads", () => {
  it.each(SHARDS)("a reply joins the root's thread, counts on it and emits message + message_update (%s)", async (shard) => {
    const { alice, bob, group, root, reply, topLevel, replies, rows } = await setup(shard);
    const { client } = await connect(group.id, { user: bob });
    const first = await reply(bob, root.id, "first");
    expect(first).toMatchObject({ parent_id: root.id, reply_count: 0, body: "first", sender_id: bob.id });
    const m1 = await client.expect("message");
    const u1 = await client.expect("message_update");
    expect(m1.data).toEqual(first);
    expect(u1).toMatchObject({ seq: m1.seq! + 1, data: { id: root.id, reply_count: 1, last_reply_at: first.created_at, parent_id: null } });
    // A reply to a reply joins the root (threads are one level deep).
    const second = await reply(alice, first.id, "second");
    expect(second.parent_id).toBe(root.id);
    expect((await client.expect("message")).data.parent_id).toBe(root.id);
    expect((await client.expect("message_update")).data).toMatchObject({ id: root.id, reply_count: 2 });
    await client.expectSilence();
    // The channel lists top-level messages only; the thread lists its replies, newest first.
    expect((await topLevel()).map((m) => m.id)).toEqual([root.id]);
    expect((await topLevel())[0]).toMatchObject({ reply_count: 2, last_reply_at: second.created_at });
    expect((await expectStatus(replies(alice, root.id), 200)).messages.map((m) => m.id)).toEqual([second.id, first.id]);
    // Stored on the channel's shard: replies take no position.
    expect(await rows()).toEqual([
      { id: root.id, position: 1, parent_id: null, reply_count: 2, last_reply_at: expect.any(Number) },
      { id: first.id, position: null, parent_id: root.id, reply_count: 0, last_reply_at: null },
      { id: second.id, position: null, parent_id: root.id, reply_count: 0, last_reply_at: null },
    ]);
  });

  it("replies never count as unread, never move a read cursor, and are not read cursors themselves", async () => {
    const { alice, bob, group, root, reply } = await setup();
    const before = (await listed(bob, group.id))!;
    expect(before.unread_count).toBe(1);
    const r = await reply(alice, root.id);
    await reply(bob, root.id);
    const after = (await listed(bob, group.id))!;
    expect(after.unread_count).toBe(1); // still just the root
    expect(after.last_read_message_id).toBe(before.last_read_message_id); // bob's reply did not move his cursor
    expect(after.last_message_at).toBe(before.last_message_at); // replies do not reorder the channel list
    expect((await listed(alice, group.id))!.last_read_message_id).toBe(root.id);
    const read = (messageId: string) => api(bob.token).v1.channels[":channelID"].read.$post({ param: { channelID: group.id }, json: { last_read_message_id: messageId } });
    await expectError(read(r.id), 404, "CHAT_MESSAGE_NOT_FOUND");
    await expectStatus(read(root.id), 200);
    expect((await listed(bob, group.id))!.unread_count).toBe(0);
  });

  it("refuses unknown, foreign, deleted and malformed parents with nothing stored", async () => {
    const { alice, group, root, reply, remove, rows } = await setup();
    const other = await createChannel(alice, { type: "group", name: "Other" });
    const foreign = await send(alice, other.id, "elsewhere");
    const gone = await send(alice, group.id, "gone");
    await expectStatus(remove(alice, gone.id), 204);
    const before = await rows();
    const cursor = (await listed(alice, group.id))!.last_read_message_id;
    const post = (parent_id: unknown) => api(alice.token).v1.channels[":channelID"].messages.$post({ param: { channelID: group.id }, json: { body: "x", parent_id: parent_id as string }, header: {} });
    await expectError(post("1234567890123456789"), 404, "CHAT_MESSAGE_NOT_FOUND");
    await expectError(post(foreign.id), 404, "CHAT_MESSAGE_NOT_FOUND");
    await expectError(post(gone.id), 404, "CHAT_MESSAGE_NOT_FOUND");
    for (const bad of ["12", "abc", 5, "01234567890123456789", {}]) await expectError(post(bad), 400, "VALIDATION_FAILED");
    expect(await rows()).toEqual(before);
    expect((await listed(alice, group.id))!.last_read_message_id).toBe(cursor);
    // An upload named by a refused reply was not claimed: it is still free to use.
    const file = await expectStatus(upload(alice, new Uint8Array([1, 2, 3])), 201);
    await expectError(
      api(alice.token).v1.channels[":channelID"].messages.$post({ param: { channelID: group.id }, json: { body: "", attachments: [{ asset_id: file.asset_id }], parent_id: foreign.id }, header: {} }),
      404,
      "CHAT_MESSAGE_NOT_FOUND",
    );
    const withFile = await send(alice, group.id, { body: "", attachments: [{ asset_id: file.asset_id }], parent_id: root.id });
    expect(withFile).toMatchObject({ parent_id: root.id, attachments: [{ asset_id: file.asset_id }] });
    // null means top-level, as omitting it does.
    expect((await send(alice, group.id, { body: "top", parent_id: null })).parent_id).toBeNull();
  });

  it("pages a thread like the channel (before, after, has_more); 404 for what is not a thread root", async () => {
    const { alice, bob, group, root, reply, replies } = await setup();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await reply(i % 2 ? alice : bob, root.id, `r${i}`)).id);
    const page1 = await expectStatus(replies(bob, root.id, { limit: "2" }), 200);
    expect(page1).toMatchObject({ has_more: true });
    expect(page1.messages.map((m) => m.id)).toEqual([ids[4], ids[3]]);
    const page2 = await expectStatus(replies(bob, root.id, { limit: "2", before: ids[3] }), 200);
    expect(page2.messages.map((m) => m.id)).toEqual([ids[2], ids[1]]);
    const last = await expectStatus(replies(bob, root.id, { limit: "2", before: ids[1] }), 200);
    expect(last).toMatchObject({ has_more: false });
    expect(last.messages.map((m) => m.id)).toEqual([ids[0]]);
    const newer = await expectStatus(replies(bob, root.id, { limit: "2", after: ids[1] }), 200);
    expect(newer.messages.map((m) => m.id)).toEqual([ids[3], ids[2]]);
    expect(newer.has_more).toBe(true);
    // Not a root: a reply, an unknown id, another channel's message, a malformed id.
    await expectError(replies(bob, ids[0]!), 404, "CHAT_MESSAGE_NOT_FOUND");
    await expectError(replies(bob, "1234567890123456789"), 404, "CHAT_MESSAGE_NOT_FOUND");
    const other = await createChannel(alice, { type: "group", name: "O" });
    await expectError(replies(alice, (await send(alice, other.id, "o")).id), 404, "CHAT_MESSAGE_NOT_FOUND");
    await expectError(replies(bob, "12"), 404, "CHAT_MESSAGE_NOT_FOUND"); // path ids are not validated, as elsewhere
    await expectError(replies(bob, root.id, { before: "12" }), 400, "VALIDATION_FAILED");
    await expectError(replies(bob, root.id, { before: ids[1]!, after: ids[2]! }), 400, "VALIDATION_FAILED");
    await expectError(replies(bob, root.id, { limit: "101" }), 400, "VALIDATION_FAILED");
    // Outsiders: a group does not exist for them; a room's non-member is refused.
    await expectError(replies(await newUser(), root.id), 404, "CHAT_CHANNEL_NOT_FOUND");
    const room = await createChannel(alice, { type: "room", name: "R" });
    const roomRoot = await send(alice, room.id, "room root");
    await expectError(
      api(bob.token).v1.channels[":channelID"].messages[":messageID"].replies.$get({ param: { channelID: room.id, messageID: roomRoot.id }, query: {} }),
      403,
      "CHAT_NOT_MEMBER",
    );
    expect(group.id).toBeTruthy();
  });

  it("deleting a reply takes it off the root's count (message_delete + message_update); a deleted root keeps its thread", async () => {
    const { alice, bob, group, root, reply, replies, remove, topLevel } = await setup();
    const r1 = await reply(bob, root.id, "one");
    const r2 = await reply(bob, root.id, "two");
    const { client } = await connect(group.id, { user: alice });
    await expectStatus(remove(bob, r2.id), 204);
    expect((await client.expect("message_delete")).data).toMatchObject({ id: r2.id, deleted: true, parent_id: root.id });
    const update = await client.expect("message_update");
    expect(update.data).toMatchObject({ id: root.id, reply_count: 1, last_reply_at: r1.created_at });
    await client.expectSilence();
    // The root is deleted: it stays as a tombstone with its count, and its replies stay listable.
    await expectStatus(remove(alice, root.id), 204);
    expect((await client.expect("message_delete")).data).toMatchObject({ id: root.id, deleted: true, reply_count: 1 });
    await client.expectSilence();
    expect((await topLevel())[0]).toMatchObject({ id: root.id, deleted: true, reply_count: 1, last_reply_at: r1.created_at });
    expect((await expectStatus(replies(alice, root.id), 200)).messages.map((m) => [m.id, m.deleted])).toEqual([[r2.id, true], [r1.id, false]]);
    // A deleted message cannot be replied to; a live reply of a deleted root still can (the thread goes on).
    await expectError(api(bob.token).v1.channels[":channelID"].messages.$post({ param: { channelID: group.id }, json: { body: "x", parent_id: root.id }, header: {} }), 404, "CHAT_MESSAGE_NOT_FOUND");
    const r3 = await reply(bob, r1.id, "three");
    expect(r3.parent_id).toBe(root.id);
    expect((await client.expect("message")).data.id).toBe(r3.id);
    expect((await client.expect("message_update")).data).toMatchObject({ id: root.id, deleted: true, reply_count: 2 });
    // Once a deleted root has no live replies left, it is no thread any more.
    await expectStatus(remove(bob, r1.id), 204);
    await expectStatus(remove(bob, r3.id), 204);
    expect((await topLevel())[0]).toMatchObject({ id: root.id, reply_count: 0, last_reply_at: null });
    await expectError(replies(alice, root.id), 404, "CHAT_MESSAGE_NOT_FOUND");
  });

  it("an idempotent reply is stored and counted once", async () => {
    const { alice, bob, group, root, topLevel, replies } = await setup();
    const { client } = await connect(group.id, { user: alice });
    const post = () =>
      api(bob.token).v1.channels[":channelID"].messages.$post({ param: { channelID: group.id }, json: { body: "once", parent_id: root.id }, header: { "idempotency-key": "reply-1" } });
    const original = await expectStatus(post(), 201);
    const retry = await post();
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await retry.json()).toEqual(original);
    expect((await client.expect("message")).data.id).toBe(original.id);
    await client.expect("message_update");
    await client.expectSilence();
    expect((await topLevel())[0]!.reply_count).toBe(1);
    expect((await expectStatus(replies(alice, root.id), 200)).messages).toHaveLength(1);
  });

  it("10 concurrent replies count exactly 10", async () => {
    const { alice, bob, root, reply, topLevel, replies } = await setup();
    await Promise.all(Array.from({ length: 10 }, (_, i) => reply(i % 2 ? alice : bob, root.id, `c${i}`)));
    expect((await topLevel())[0]!.reply_count).toBe(10);
    expect((await expectStatus(replies(alice, root.id, { limit: "100" }), 200)).messages).toHaveLength(10);
  });
});
