import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type TestUser, createChannel, expectError, expectStatus, listed, newUser, send } from "../helpers/api";
import { api, rawRequest } from "../helpers/client";
import { shardOf } from "../helpers/shards";

const rowsRead = (res: { headers: Headers }) => Number(res.headers.get("Server-Timing")?.match(/d1-rows-read;desc="(\d+)"/)?.[1]);
const messages = (user: TestUser) => api(user.token).v1.channels[":channelID"].messages;
const edit = (user: TestUser, channelID: string, messageID: string, json: { body: string; mentioned_user_ids?: string[] }) =>
  messages(user)[":messageID"].$put({ param: { channelID, messageID }, json });
const remove = (user: TestUser, channelID: string, messageID: string) => messages(user)[":messageID"].$delete({ param: { channelID, messageID } });
const markRead = (user: TestUser, channelID: string, id: string) =>
  expectStatus(api(user.token).v1.channels[":channelID"].read.$post({ param: { channelID }, json: { last_read_message_id: id } }), 200);
const mentionCount = async (user: TestUser, channelId: string) => (await listed(user, channelId))!.mention_count;
const feed = (user: TestUser, query: { limit?: string; before?: string } = {}) => expectStatus(api(user.token).v1.users.me.mentions.$get({ query }), 200);

/** The directory's mention index rows of a message: who it counts for. */
async function indexed(messageId: string) {
  const { results } = await env.DB.prepare("select user_id from mentions where message_id = ? order by user_id").bind(messageId).all<{ user_id: string }>();
  return results.map((r) => r.user_id);
}

async function group() {
  const [alice, bob, carol, dave] = [await newUser("Alice"), await newUser("Bob"), await newUser("Carol"), await newUser("Dave")];
  const ch = await createChannel(alice, { type: "group", name: "G", member_ids: [bob.id, carol.id] });
  return { alice, bob, carol, dave, ch };
}

describe("mentioning users in a message", () => {
  it("leaves no mention behind when an edit that mentions races a delete of the same message", async () => {
    const { alice, bob, carol, ch } = await group();
    for (let round = 0; round < 8; round++) {
      const m = await send(alice, ch.id, { body: "draft", mentioned_user_ids: [bob.id] });
      const [edited, deleted] = await Promise.all([edit(alice, ch.id, m.id, { body: "final @carol", mentioned_user_ids: [carol.id] }), remove(alice, ch.id, m.id)]);
      expect(deleted.status).toBe(204);
      expect([200, 404]).toContain(edited.status);
      expect(await indexed(m.id)).toEqual([]);
    }
    expect(await mentionCount(bob, ch.id)).toBe(0);
    expect(await mentionCount(carol, ch.id)).toBe(0);
  });

  it("keeps members only, never the sender, each once, in the order given; the message echoes and stores them", async () => {
    const { alice, bob, carol, dave, ch } = await group();
    const m = await send(alice, ch.id, { body: "hi @carol @bob", mentioned_user_ids: [carol.id, dave.id, alice.id, bob.id, carol.id, "nobody"] });
    expect(m.mentioned_user_ids).toEqual([carol.id, bob.id]);
    const row = await (await shardOf(ch.id)).prepare("select mentioned_user_ids from messages where id = ?").bind(m.id).first<{ mentioned_user_ids: string }>();
    expect(JSON.parse(row!.mentioned_user_ids)).toEqual([carol.id, bob.id]);
    expect(await indexed(m.id)).toEqual([bob.id, carol.id].sort());
    const page = await expectStatus(messages(bob).$get({ param: { channelID: ch.id }, query: {} }), 200);
    expect(page.messages[0]!.mentioned_user_ids).toEqual([carol.id, bob.id]);
    // Without the field, nobody is mentioned.
    expect((await send(alice, ch.id, "plain")).mentioned_user_ids).toEqual([]);
  });

  it("refuses more than 50 ids (400, nothing stored) and takes 50", async () => {
    const { alice, bob, ch } = await group();
    const ids = (n: number) => [bob.id, ...Array.from({ length: n - 1 }, (_, i) => `ghost${i}`)];
    await expectError(messages(alice).$post({ param: { channelID: ch.id }, json: { body: "x", mentioned_user_ids: ids(51) }, header: {} }), 400, "VALIDATION_FAILED");
    await expectError(
      rawRequest("POST", `/v1/channels/${ch.id}/messages`, { token: alice.token, json: { body: "x", mentioned_user_ids: ["bad id!"] } }),
      400,
      "VALIDATION_FAILED",
    );
    expect((await expectStatus(messages(alice).$get({ param: { channelID: ch.id }, query: {} }), 200)).messages).toEqual([]);
    expect((await send(alice, ch.id, { body: "x", mentioned_user_ids: ids(50) })).mentioned_user_ids).toEqual([bob.id]);
    const first = await expectStatus(messages(alice).$get({ param: { channelID: ch.id }, query: {} }), 200);
    await expectError(edit(alice, ch.id, first.messages[0]!.id, { body: "y", mentioned_user_ids: ids(51) }), 400, "VALIDATION_FAILED");
    expect(await indexed(first.messages[0]!.id)).toEqual([bob.id]);
  });

  it("edit replaces the mentions (members of now); omitted keeps them; [] clears them", async () => {
    const { alice, bob, carol, dave, ch } = await group();
    const m = await send(alice, ch.id, { body: "hey bob", mentioned_user_ids: [bob.id] });
    const edited = await expectStatus(edit(alice, ch.id, m.id, { body: "hey carol", mentioned_user_ids: [carol.id, dave.id] }), 200);
    expect(edited.mentioned_user_ids).toEqual([carol.id]);
    expect(await indexed(m.id)).toEqual([carol.id]);
    expect(await mentionCount(bob, ch.id)).toBe(0);
    expect(await mentionCount(carol, ch.id)).toBe(1);
    expect((await expectStatus(edit(alice, ch.id, m.id, { body: "typo fixed" }), 200)).mentioned_user_ids).toEqual([carol.id]);
    expect(await indexed(m.id)).toEqual([carol.id]);
    expect((await expectStatus(edit(alice, ch.id, m.id, { body: "nobody", mentioned_user_ids: [] }), 200)).mentioned_user_ids).toEqual([]);
    expect(await indexed(m.id)).toEqual([]);
    expect(await mentionCount(carol, ch.id)).toBe(0);
    const page = await expectStatus(messages(carol).$get({ param: { channelID: ch.id }, query: {} }), 200);
    expect(page.messages[0]!.mentioned_user_ids).toEqual([]);
  });
});

describe("mention_count in the channel list", () => {
  it("counts unread mentions of the caller: moves with the read cursor, drops on delete, ignores others' mentions", async () => {
    const { alice, bob, carol, ch } = await group();
    const first = await send(alice, ch.id, { body: "one", mentioned_user_ids: [bob.id] });
    await send(carol, ch.id, { body: "two", mentioned_user_ids: [bob.id, alice.id] });
    await send(alice, ch.id, { body: "to carol", mentioned_user_ids: [carol.id] });
    expect(await listed(bob, ch.id)).toMatchObject({ unread_count: 3, mention_count: 2 });
    // Alice sent after Carol mentioned her: her cursor moved past it.
    expect(await mentionCount(alice, ch.id)).toBe(0);
    await markRead(bob, ch.id, first.id);
    expect(await mentionCount(bob, ch.id)).toBe(1);
    const last = (await expectStatus(messages(bob).$get({ param: { channelID: ch.id }, query: {} }), 200)).messages[0]!;
    await markRead(bob, ch.id, last.id);
    expect(await listed(bob, ch.id)).toMatchObject({ unread_count: 0, mention_count: 0 });
    // Marking unread back to the first message counts the later mention again.
    await markRead(bob, ch.id, first.id);
    expect(await listed(bob, ch.id)).toMatchObject({ unread_count: 2, mention_count: 1 });
    await markRead(bob, ch.id, last.id);
    // A new mention counts; once deleted it no longer does.
    const again = await send(carol, ch.id, { body: "three", mentioned_user_ids: [bob.id] });
    expect(await mentionCount(bob, ch.id)).toBe(1);
    await expectStatus(remove(carol, ch.id, again.id), 204);
    expect(await indexed(again.id)).toEqual([]);
    expect(await mentionCount(bob, ch.id)).toBe(0);
  });

  it("is computed in the list's single query, reading one more row per unread mention", async () => {
    const { alice, bob, ch } = await group();
    const list = async () => {
      const res = await api(bob.token).v1.channels.$get({ query: {} });
      expect(res.headers.get("Server-Timing")).toContain('desc="1 queries"');
      return { rows: rowsRead(res), channel: (await res.json()).find((c) => c.id === ch.id)! };
    };
    const base = await list();
    const mention = async (n: number) => {
      let id = "";
      for (let i = 0; i < n; i++) id = (await send(alice, ch.id, { body: `m${i}`, mentioned_user_ids: [bob.id] })).id;
      return id;
    };
    await mention(5);
    const five = await list();
    expect(five.channel).toMatchObject({ unread_count: 5, mention_count: 5 });
    const lastId = await mention(5);
    const ten = await list();
    expect(ten.channel).toMatchObject({ unread_count: 10, mention_count: 10 });
    expect(ten.rows - five.rows).toBe(5);
    await markRead(bob, ch.id, lastId);
    const read = await list();
    expect(read.channel.mention_count).toBe(0);
    expect(read.rows).toBe(base.rows);
  });
});

/** Channels with Alice and Bob until there is one on each history shard. */
async function channelsOnBothShards(alice: TestUser, bob: TestUser) {
  const byShard = new Map<D1Database, string>();
  for (let i = 0; i < 20 && byShard.size < 2; i++) {
    const ch = await createChannel(alice, { type: "group", name: `S${i}`, member_ids: [bob.id] });
    const shard = await shardOf(ch.id);
    if (!byShard.has(shard)) byShard.set(shard, ch.id);
  }
  const [h0, h1] = [byShard.get(env.HISTORY_0), byShard.get(env.HISTORY_1)];
  if (!h0 || !h1) throw new Error("no channel on one of the shards");
  return [h0, h1] as const;
}

describe("GET /v1/users/me/mentions", () => {
  it("lists mentions from channels on both shards, newest first, with senders and reactions, paged with before", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const [c0, c1] = await channelsOnBothShards(alice, bob);
    const sent = [];
    for (const [i, ch] of [c0, c1, c0, c1, c0].entries()) sent.push(await send(alice, ch, { body: `ping ${i}`, mentioned_user_ids: [bob.id] }));
    await send(alice, c1, "not a mention");
    await expectStatus(
      messages(bob)[":messageID"].reactions.$post({ param: { channelID: c1, messageID: sent[3]!.id }, json: { emote_asset_id: "42" } }),
      201,
    );
    const all = await feed(bob);
    expect(all.has_more).toBe(false);
    expect(all.messages.map((m) => m.body)).toEqual(["ping 4", "ping 3", "ping 2", "ping 1", "ping 0"]);
    expect(all.messages.map((m) => m.channel_id)).toEqual([c0, c1, c0, c1, c0]);
    expect(all.messages[0]).toMatchObject({ sender_id: alice.id, sender_name: "Alice", mentioned_user_ids: [bob.id], deleted: false });
    expect(all.messages[1]!.reactions).toEqual([{ emote_asset_id: "42", count: 1, user_ids: [bob.id] }]);
    const page1 = await feed(bob, { limit: "2" });
    expect(page1.messages.map((m) => m.body)).toEqual(["ping 4", "ping 3"]);
    expect(page1.has_more).toBe(true);
    const page2 = await feed(bob, { limit: "2", before: page1.messages[1]!.id });
    expect(page2.messages.map((m) => m.body)).toEqual(["ping 2", "ping 1"]);
    const page3 = await feed(bob, { limit: "2", before: page2.messages[1]!.id });
    expect(page3).toMatchObject({ messages: [{ body: "ping 0" }], has_more: false });
    // The sender's own feed is empty: nobody mentioned Alice.
    expect((await feed(alice)).messages).toEqual([]);
  });

  it("drops deleted messages and channels the caller left", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const [c0, c1] = await channelsOnBothShards(alice, bob);
    const a = await send(alice, c0, { body: "a", mentioned_user_ids: [bob.id] });
    await send(alice, c1, { body: "b", mentioned_user_ids: [bob.id] });
    await send(alice, c0, { body: "c", mentioned_user_ids: [bob.id] });
    await expectStatus(remove(alice, c0, a.id), 204);
    expect((await feed(bob)).messages.map((m) => m.body)).toEqual(["c", "b"]);
    await expectStatus(api(bob.token).v1.channels[":channelID"].members[":userID"].$delete({ param: { channelID: c1, userID: "me" } }), 204);
    expect((await feed(bob)).messages.map((m) => m.body)).toEqual(["c"]);
  });

  it("refuses a bad limit or cursor", async () => {
    const bob = await newUser();
    await expectError(api(bob.token).v1.users.me.mentions.$get({ query: { limit: "101" } }), 400, "VALIDATION_FAILED");
    await expectError(api(bob.token).v1.users.me.mentions.$get({ query: { before: "x" } }), 400, "VALIDATION_FAILED");
  });
});
