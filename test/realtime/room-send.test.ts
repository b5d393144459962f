import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RoomSendRequest } from "../../src/room/send/room-send";
import { createChannel, expectError, expectStatus, listed, newUser, send, settled } from "../helpers/api";
import { api } from "../helpers/client";
import { shardOf } from "../helpers/shards";
import { connect } from "../helpers/ws";

const history = async (token: string, channelID: string) =>
  (await expectStatus(api(token).v1.channels[":channelID"].messages.$get({ param: { channelID }, query: { limit: 100 } }), 200)).messages;

const storedRows = async (channelId: string) =>
  (await (await shardOf(channelId)).prepare("select id, position from messages where channel_id = ? order by position").bind(channelId).all<{ id: string; position: number }>()).results;

// Sends run in the channel's room: it hands out positions and remembers who may post, so the
// directory's writes and the shard's run at once. These are the cases where the two disagree.
describe("sends in the room", () => {
  it("a send refused after its verdict was remembered (a block, which the room never hears of) leaves nothing behind", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    await send(alice, dm.id, "hello"); // the room now remembers that Alice may post
    expect((await api(bob.token).v1.users.me.blocks[":userID"].$put({ param: { userID: alice.id } })).status).toBeLessThan(300);

    const refused = api(alice.token).v1.channels[":channelID"].messages.$post({ param: { channelID: dm.id }, header: { "idempotency-key": "after-block" }, json: { body: "still there?" } });
    await expectError(refused, 403, "CHAT_DM_BLOCKED_USER");
    expect((await history(alice.token, dm.id)).map((m) => m.body)).toEqual(["hello"]);
    expect(await storedRows(dm.id)).toHaveLength(1);
    expect(await listed(bob, dm.id)).toMatchObject({ unread_count: 1 });

    // A refusal is never remembered: unblocked, Alice may post at once, at the next position.
    expect((await api(bob.token).v1.users.me.blocks[":userID"].$delete({ param: { userID: alice.id } })).status).toBeLessThan(300);
    // The refused send's key went with its row: the same key now sends a new message.
    expect(await send(alice, dm.id, "again", { "idempotency-key": "after-block" })).toMatchObject({ body: "again" });
    expect((await storedRows(dm.id)).map((r) => r.position)).toEqual([1, 2]);
    expect(await listed(bob, dm.id)).toMatchObject({ unread_count: 2 });
  });

  it("a room call retried with the same message id (its answer lost) stores one message and sends one event", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const group = await createChannel(alice, { type: "group", name: "Retries", member_ids: [bob.id] });
    const { client } = await connect(group.id, { user: bob });
    const request: RoomSendRequest = {
      channelId: group.id,
      poster: { kind: "member" },
      senderId: alice.id,
      uploaderId: alice.id,
      body: "once",
      assetIds: [],
      messageId: "7234567890123456789",
      requestId: "test-retry",
      bookmarks: {},
    };
    const room = env.CHANNEL_ROOM.getByName(group.id);
    const first = await room.send(request);
    const again = await room.send(request);
    expect("message" in first && first.message.id).toBe(request.messageId);
    expect("message" in again && again.message).toMatchObject({ id: request.messageId, body: "once" });

    expect(await client.expect("message")).toMatchObject({ seq: 1, data: { id: request.messageId } });
    await client.expectSilence();
    expect((await history(bob.token, group.id)).map((m) => m.id)).toEqual([request.messageId]);
    expect(await listed(bob, group.id)).toMatchObject({ unread_count: 1 });
  });

  it("skips a position a room from before write-ahead stored in the shard but not in the directory", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const group = await createChannel(alice, { type: "group", name: "Resets", member_ids: [bob.id] });
    await send(alice, group.id, "one");
    await settled(group.id); // the directory has position 1, as it always did before write-ahead
    // As if the room was reset between its shard write (position 2) and its directory write.
    await (await shardOf(group.id))
      .prepare("insert into messages (id, channel_id, position, sender_id, body, inline_emotes, attachments, mentioned_user_ids, created_at) values (?, ?, 2, ?, 'orphan', '[]', '[]', '[]', ?)")
      .bind("7234567890123456790", group.id, alice.id, Date.now())
      .run();
    // …by a room from before write-ahead, which kept no position of its own.
    await runInDurableObject(env.CHANNEL_ROOM.getByName(group.id), async (_room, state) => {
      state.storage.sql.exec("delete from meta where key = 'position'");
    });
    await evictDurableObject(env.CHANNEL_ROOM.getByName(group.id));

    const three = await send(alice, group.id, "three");
    expect(await storedRows(group.id)).toEqual([
      { id: expect.any(String), position: 1 },
      { id: "7234567890123456790", position: 2 },
      { id: three.id, position: 3 },
    ]);
    expect(await listed(bob, group.id)).toMatchObject({ unread_count: 3 });
  });

  it("a send to a channel that does not exist is 404 and leaves nothing in the room it reached", async () => {
    const alice = await newUser("Alice");
    const channelID = "7999999999999999999";
    await expectError(api(alice.token).v1.channels[":channelID"].messages.$post({ param: { channelID }, header: {}, json: { body: "anyone?" } }), 404, "CHAT_CHANNEL_NOT_FOUND");
    const tables = await runInDurableObject(env.CHANNEL_ROOM.getByName(channelID), (_room, state) =>
      state.storage.sql.exec<{ name: string }>("select name from sqlite_master where type = 'table' and name not like '\_cf\_%' escape '\\'").toArray(),
    );
    expect(tables).toEqual([]);
  });

});
