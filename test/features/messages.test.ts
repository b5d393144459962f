import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type TestUser, addMember, createChannel, expectError, expectStatus, listed, newUser, send, settled } from "../helpers/api";
import { api, invalid } from "../helpers/client";
import { shardOf } from "../helpers/shards";

async function pair() {
  const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
  const group = await createChannel(alice, { type: "group", name: "G", member_ids: [bob.id] });
  return { alice, bob, group };
}
const messages = (user: TestUser, channelID: string) => api(user.token).v1.channels[":channelID"].messages;
/** GET …/messages: the response, for the test to check. */
const list = (user: TestUser, channelID: string, query: { limit?: string } = {}) => messages(user, channelID).$get({ param: { channelID }, query });
/** GET …/messages, asserting 200: the page. */
const page = (user: TestUser, channelID: string, query: { limit?: string } = {}) => expectStatus(list(user, channelID, query), 200);
const post = (user: TestUser, channelID: string, json: Parameters<ReturnType<typeof messages>["$post"]>[0]["json"], header = {}) =>
  messages(user, channelID).$post({ param: { channelID }, json, header });
const message = (user: TestUser, channelID: string, messageID: string) => ({
  edit: (json: { body: string }) => messages(user, channelID)[":messageID"].$put({ param: { channelID, messageID }, json }),
  delete: () => messages(user, channelID)[":messageID"].$delete({ param: { channelID, messageID } }),
});
const myChannels = (user: TestUser) => expectStatus(api(user.token).v1.channels.$get({ query: {} }), 200);
const block = (user: TestUser, userID: string) => expectStatus(api(user.token).v1.users.me.blocks[":userID"].$put({ param: { userID } }), 204);

describe("send message", () => {
  it("stores and returns the seed's message object (201)", async () => {
    const { alice, group } = await pair();
    const sent = await expectStatus(
      post(alice, group.id, {
        body: "Hello 😀 smile!",
        attachments: [],
        inline_emotes: [{ shortcode: "smile", asset_id: 888999000, start_index: 8, end_index: 13 }],
      }),
      201,
    );
    expect(sent).toEqual({
      id: expect.stringMatching(/^\d{19}$/),
      channel_id: group.id,
      sender_id: alice.id,
      sender_name: "Alice",
      sender_type: "user",
      body: "Hello 😀 smile!",
      attachments: [],
      inline_emotes: [{ shortcode: "smile", asset_id: "888999000", start_index: 8, end_index: 13 }],
      created_at: expect.any(Number),
      edited_at: null,
      deleted: false,
      deleted_by: null,
      reactions: [],
      parent_id: null,
      reply_count: 0,
      last_reply_at: null,
      mentioned_user_ids: [],
      pinned_at: null,
      pinned_by: null,
      previews: [],
    });
    expect(await page(alice, group.id)).toEqual({ messages: [sent], has_more: false });
  });

  it("enforces the body rules: ≤ 1000 code points, body or attachments", async () => {
    const { alice, group } = await pair();
    await expectError(post(alice, group.id, { body: "x".repeat(1001) }), 400, "CHAT_MESSAGE_TOO_LONG");
    await expectStatus(post(alice, group.id, { body: "😀".repeat(1000) }), 201);
    await expectError(post(alice, group.id, { body: "😀".repeat(1001) }), 400, "CHAT_MESSAGE_TOO_LONG");
    await expectError(post(alice, group.id, { body: "" }), 400, "CHAT_EMPTY_MESSAGE");
    await expectError(post(alice, group.id, { body: "  \n " }), 400, "CHAT_EMPTY_MESSAGE");
    await expectError(post(alice, group.id, {}), 400, "CHAT_EMPTY_MESSAGE");
    await expectError(post(alice, group.id, invalid({ body: 5 })), 400, "VALIDATION_FAILED");
    await expectError(post(alice, group.id, { body: "x", attachments: [{ asset_id: "12" }] }), 404, "CHAT_ATTACHMENT_NOT_FOUND");
    expect((await page(alice, group.id)).messages).toHaveLength(1);
  });

  it("validates inline emotes: inside the body, end after start, no overlap", async () => {
    const { alice, group } = await pair();
    const emote = (start_index: number, end_index: number) => ({ shortcode: "s", asset_id: "1", start_index, end_index });
    for (const inline_emotes of [
      [emote(0, 6)],
      [emote(2, 2)],
      [emote(3, 1)],
      [emote(0, 3), emote(2, 4)],
      [{ ...emote(0, 1), asset_id: "12345678901234567890123" }],
      [{ ...emote(0, 1), asset_id: "abc" }],
      [{ ...emote(0, 1), start_index: -1 }],
      [{ ...emote(0, 1), shortcode: "" }],
    ]) {
      const err = await expectError(post(alice, group.id, { body: "hello", inline_emotes }), 400, "VALIDATION_FAILED");
      // Each problem is named, under the emote it is about.
      expect(err.details, JSON.stringify(inline_emotes)).toEqual(
        expect.arrayContaining([expect.objectContaining({ in: "json", path: expect.stringMatching(/^inline_emotes\.\d+(\.|$)/) })]),
      );
    }
    expect((await page(alice, group.id)).messages).toEqual([]);
    await expectStatus(post(alice, group.id, { body: "hello", inline_emotes: [emote(3, 5), emote(0, 3)] }), 201);
  });

  it("needs membership: 403 in a room, 404 in a group", async () => {
    const { alice, group } = await pair();
    const outsider = await newUser();
    const room = await createChannel(alice, { type: "room", name: "R" });
    await expectError(post(outsider, room.id, { body: "hi" }), 403, "CHAT_NOT_MEMBER");
    await expectError(list(outsider, room.id), 403, "CHAT_NOT_MEMBER");
    await expectError(post(outsider, group.id, { body: "hi" }), 404, "CHAT_CHANNEL_NOT_FOUND");
    await expectError(list(outsider, group.id), 404, "CHAT_CHANNEL_NOT_FOUND");
    expect((await page(alice, room.id)).messages).toEqual([]);
    expect((await page(alice, group.id)).messages).toEqual([]);
  });

  it("lets only owner/admins post in broadcast channels; nobody in archived ones", async () => {
    const [owner, admin, member] = [await newUser(), await newUser(), await newUser()];
    const ch = await createChannel(owner, { type: "group", name: "News", broadcast: true, member_ids: [member.id] });
    await expectStatus(addMember(owner, ch.id, admin.id, "admin"), 201);
    await send(owner, ch.id, "from owner");
    await send(admin, ch.id, "from admin");
    await expectError(post(member, ch.id, { body: "hi" }), 403, "CHAT_BROADCAST_ONLY");
    await expectStatus(api(owner.token).v1.channels[":channelID"].$put({ param: { channelID: ch.id }, json: { archived: true } }), 200);
    await expectError(post(owner, ch.id, { body: "hi" }), 403, "CHAT_CHANNEL_ARCHIVED");
    expect((await page(member, ch.id)).messages.map((m) => m.body)).toEqual(["from admin", "from owner"]);
  });

  it("refuses sending into a DM across a block, either way", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    await send(alice, dm.id, "before");
    await block(bob, alice.id);
    await expectError(post(alice, dm.id, { body: "x" }), 403, "CHAT_DM_BLOCKED_USER");
    await expectError(post(bob, dm.id, { body: "x" }), 403, "CHAT_DM_BLOCKED_USER");
    expect((await page(alice, dm.id)).messages).toHaveLength(1);
  });

  it("unhides a hidden DM for the receiver when a message arrives", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    await expectStatus(api(bob.token).v1.channels[":channelID"].members.me.$put({ param: { channelID: dm.id }, json: { hidden: true } }), 200);
    expect(await myChannels(bob)).toEqual([]);
    await send(alice, dm.id, "ping");
    await settled(dm.id); // the directory follows the send through its queue (DESIGN §12)
    expect(await myChannels(bob)).toMatchObject([{ id: dm.id, hidden: false, unread_count: 1 }]);
  });

  it("sorts the channel list by latest message", async () => {
    const alice = await newUser();
    const first = await createChannel(alice, { type: "group", name: "first" });
    const second = await createChannel(alice, { type: "group", name: "second" });
    const ids = async () => (await myChannels(alice)).map((c) => c.id);
    expect(await ids()).toEqual([second.id, first.id]);
    const bump = await send(alice, first.id, "bump");
    await settled(first.id);
    expect(await ids()).toEqual([first.id, second.id]);
    expect((await listed(alice, first.id))!.last_message_at).toBe(bump.created_at);
    expect((await listed(alice, second.id))!.last_message_at).toBeNull();
  });
});

describe("idempotent sends", () => {
  it("returns the original message for a retry with the same key, storing nothing new", async () => {
    const { alice, bob, group } = await pair();
    const header = { "idempotency-key": "retry-123" };
    const first = await expectStatus(post(alice, group.id, { body: "once" }, header), 201);
    const retry = await post(alice, group.id, { body: "once" }, header);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await expectStatus(retry, 201)).toEqual(first);
    // The same key from another sender is a different request.
    const bobs = await expectStatus(post(bob, group.id, { body: "mine" }, header), 201);
    expect(bobs.id).not.toBe(first.id);
    expect((await page(alice, group.id)).messages).toHaveLength(2);
  });

  it("stores one message when retries race", async () => {
    const { alice, bob, group } = await pair();
    const header = { "idempotency-key": "race-1" };
    const results = await Promise.all(Array.from({ length: 5 }, () => expectStatus(post(alice, group.id, { body: "x" }, header), 201)));
    expect(new Set(results.map((m) => m.id)).size).toBe(1);
    expect((await page(alice, group.id)).messages).toHaveLength(1);
    // The losers' positions were given back or recorded as deleted: one unread message, not five.
    expect(await listed(bob, group.id)).toMatchObject({ unread_count: 1 });
    await send(alice, group.id, "next");
    expect(await listed(bob, group.id)).toMatchObject({ unread_count: 2 });
  });

  it("treats a key older than 24 h as new", async () => {
    const { alice, group } = await pair();
    const header = { "idempotency-key": "old-key" };
    const first = await send(alice, group.id, "day one", header);
    await ageSendKey(group.id, first.id);
    const second = await send(alice, group.id, "day two", header);
    expect(second.id).not.toBe(first.id);
    await expectError(post(alice, group.id, { body: "x" }, { "idempotency-key": "" }), 400, "VALIDATION_FAILED");
    expect((await page(alice, group.id)).messages.map((m) => m.body)).toEqual(["day two", "day one"]);
  });
});

/** As if the key was recorded 24 h and 1 ms ago: keys live in the channel's room. */
async function ageSendKey(channelId: string, messageId: string) {
  await runInDurableObject(env.CHANNEL_ROOM.getByName(channelId), async (_room, state) => {
    state.storage.sql.exec("update send_keys set at = at - 86400001 where message_id = ?", messageId);
  });
}

describe("concurrent sends", () => {
  it("loses and duplicates nothing; positions are gap-free", async () => {
    const { alice, bob, group } = await pair();
    const sends = Array.from({ length: 40 }, (_, i) => send(i % 2 ? alice : bob, group.id, `m${i}`));
    const sent = await Promise.all(sends);
    const all = await page(alice, group.id, { limit: "100" });
    expect(all.messages.map((m) => m.id).sort()).toEqual(sent.map((m) => m.id).sort());
    const { results } = await (await shardOf(group.id)).prepare("select position from messages where channel_id = ? order by position").bind(group.id).all<{ position: number }>();
    expect(results.map((r) => r.position)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });
});

describe("edit and delete", () => {
  it("lets the author edit (edited_at set); others get CHAT_NOT_MESSAGE_AUTHOR", async () => {
    const { alice, bob, group } = await pair();
    const m = await send(alice, group.id, "first draft");
    await expectError(message(bob, group.id, m.id).edit({ body: "hacked" }), 403, "CHAT_NOT_MESSAGE_AUTHOR");
    const edited = await expectStatus(message(alice, group.id, m.id).edit({ body: "Updated message text" }), 200);
    expect(edited).toMatchObject({ id: m.id, body: "Updated message text", edited_at: expect.any(Number), deleted: false });
    expect((await page(bob, group.id)).messages[0]).toMatchObject({ body: "Updated message text", edited_at: edited.edited_at });
    await expectError(message(alice, group.id, m.id).edit({ body: "" }), 400, "CHAT_EMPTY_MESSAGE");
    await expectError(message(alice, group.id, m.id).edit({ body: "y".repeat(1001) }), 400, "CHAT_MESSAGE_TOO_LONG");
    await expectError(message(alice, group.id, "1234567890123456789").edit({ body: "x" }), 404, "CHAT_MESSAGE_NOT_FOUND");
    expect((await page(bob, group.id)).messages).toEqual([edited]);
  });

  it("soft-deletes: a tombstone with no body, attachments or reactions; by author or admin only", async () => {
    const { alice, bob, group } = await pair();
    const carol = await newUser();
    await expectStatus(addMember(alice, group.id, carol.id), 201);
    const mine = await send(bob, group.id, "bob's");
    const other = await send(carol, group.id, "carol's");
    const reactions = api(alice.token).v1.channels[":channelID"].messages[":messageID"].reactions;
    await expectStatus(reactions.$post({ param: { channelID: group.id, messageID: mine.id }, json: { emote_asset_id: "1" } }), 201);
    await expectError(message(bob, group.id, other.id).delete(), 403, "CHAT_NOT_MESSAGE_AUTHOR");
    await expectStatus(message(bob, group.id, mine.id).delete(), 204);
    await expectStatus(message(alice, group.id, other.id).delete(), 204);
    const tombstones = (await page(bob, group.id)).messages;
    expect(tombstones.map((m) => m.id)).toEqual([other.id, mine.id]);
    // Who made each tombstone (DESIGN §15): the admin's delete of Carol's message is a moderator's.
    expect(tombstones.map((m) => m.deleted_by)).toEqual(["moderator", "author"]);
    for (const m of tombstones) expect(m).toMatchObject({ deleted: true, body: "", attachments: [], inline_emotes: [], reactions: [] });
    await expectError(message(bob, group.id, mine.id).delete(), 404, "CHAT_MESSAGE_NOT_FOUND");
    await expectError(message(bob, group.id, mine.id).edit({ body: "x" }), 404, "CHAT_MESSAGE_NOT_FOUND");
    const row = await (await shardOf(group.id)).prepare("select body, deleted_at from messages where id = ?").bind(mine.id).first<{ body: string; deleted_at: number }>();
    expect(row!.body).toBe("");
    expect(row!.deleted_at).toBeGreaterThan(0);
  });
});

