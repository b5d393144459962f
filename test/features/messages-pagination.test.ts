import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { type TestUser, addMember, createChannel, expectError, expectStatus, newUser, send } from "../helpers/api";
import { api, invalid } from "../helpers/client";
import { shardOf } from "../helpers/shards";

const TOTAL = 250;
let owner: TestUser;
let channelId: string;
/** Every message id, newest first: the reference order. */
let reference: string[];
/** The messages deleted before the walks: their tombstones are still visited exactly once. */
let deleted: Set<string>;

const messages = (user: TestUser) => api(user.token).v1.channels[":channelID"].messages;

beforeAll(async () => {
  owner = await newUser();
  const room = await createChannel(owner, { type: "room", name: "History" });
  channelId = room.id;
  const sent = [];
  for (let i = 0; i < TOTAL; i++) sent.push((await send(owner, channelId, `message ${i}`)).id);
  reference = sent.reverse();
  deleted = new Set([reference[3]!, reference[100]!, reference[249]!]);
  for (const messageID of deleted) {
    await expectStatus(messages(owner)[":messageID"].$delete({ param: { channelID: channelId, messageID } }), 204);
  }
}, 300_000); // 250 sends: ~10 s on a quiet machine; the timeout only catches a hang

/** A fresh member per walk keeps each under the per-user rate limit. */
async function reader() {
  const user = await newUser();
  await expectStatus(addMember(user, channelId, user.id), 201);
  return user;
}

type Query = { limit?: string; before?: string; after?: string; around?: string };
async function page(user: TestUser, query: Query) {
  const p = await expectStatus(messages(user).$get({ param: { channelID: channelId }, query }), 200);
  for (const m of p.messages) expect(m.deleted, m.id).toBe(deleted.has(m.id));
  return p;
}

describe("pagination", () => {
  it("visits every message exactly once walking back with `before`, for every limit 1–100", async () => {
    for (let limit = 1; limit <= 100; limit++) {
      const user = await reader();
      const seen: string[] = [];
      let before: string | undefined;
      for (;;) {
        const p = await page(user, { limit: String(limit), before });
        expect(p.messages.length).toBeLessThanOrEqual(limit);
        seen.push(...p.messages.map((m) => m.id));
        if (!p.has_more) break;
        expect(p.messages.length).toBe(limit);
        before = p.messages.at(-1)!.id;
      }
      expect(seen, `limit ${limit}`).toEqual(reference);
    }
  }, 600_000); // ~1,500 requests: ~45 s on a quiet machine; the timeout only catches a hang

  it("walks forward with `after` (pages newest first within themselves)", async () => {
    for (const limit of [1, 7, 50, 100]) {
      const user = await reader();
      const seen: string[] = [];
      let cursor = reference.at(-1)!;
      seen.push(cursor);
      for (;;) {
        const p = await page(user, { limit: String(limit), after: cursor });
        seen.push(...[...p.messages].reverse().map((m) => m.id));
        if (!p.has_more) break;
        cursor = p.messages[0]!.id;
      }
      expect(seen, `limit ${limit}`).toEqual([...reference].reverse());
    }
  });

  it("centres `around` a message, including it", async () => {
    const user = await reader();
    const target = reference[120]!;
    expect((await page(user, { limit: "1", around: target })).messages.map((m) => m.id)).toEqual([target]);
    const p = await page(user, { limit: "11", around: target });
    expect(p.messages.map((m) => m.id)).toEqual(reference.slice(115, 126));
    expect(p.has_more).toBe(true);
    expect(p.has_more_after).toBe(true);
    const newest = await page(user, { limit: "10", around: reference[0] });
    expect(newest.messages.map((m) => m.id)).toEqual(reference.slice(0, 6));
    expect(newest.has_more_after).toBe(false);
  });

  it("defaults to 50 and validates limit and cursors", async () => {
    const user = await reader();
    expect((await page(user, {})).messages.map((m) => m.id)).toEqual(reference.slice(0, 50));
    for (const query of [{ limit: "0" }, { limit: "101" }, { limit: "abc" }, { before: "123" }, { before: reference[0], after: reference[1] }]) {
      await expectError(messages(user).$get({ param: { channelID: channelId }, query: invalid(query) }), 400, "VALIDATION_FAILED");
    }
  });

  it("lists 50 messages with reactions in a constant number of queries, reading only what it returns", async () => {
    const user = await reader();
    for (const messageID of reference.slice(0, 10)) {
      const res = messages(user)[":messageID"].reactions.$post({ param: { channelID: channelId, messageID }, json: { emote_asset_id: "7" } });
      if (deleted.has(messageID)) await expectError(res, 404, "CHAT_MESSAGE_NOT_FOUND");
      else await expectStatus(res, 201);
    }
    const res = await messages(user).$get({ param: { channelID: channelId }, query: { limit: "50" } });
    const timing = res.headers.get("Server-Timing")!;
    const p = await expectStatus(res, 200);
    expect(p.messages.slice(0, 10).map((m) => m.reactions)).toEqual(
      reference.slice(0, 10).map((id) => (deleted.has(id) ? [] : [{ emote_asset_id: "7", count: 1, user_ids: [user.id] }])),
    );
    // The channel (directory), in parallel with the page and its reactions (one shard batch); the
    // senders were read by the sends just before (this isolate remembers names for a minute).
    expect(timing).toContain('desc="3 queries"');
    expect(timing).toContain('d1-round-trips;desc="1"');
    const rowsRead = Number(timing.match(/d1-rows-read;desc="(\d+)"/)![1]);
    expect(rowsRead).toBeLessThan(250); // 51 messages + 51 senders + 10 reactions + lookups; not the 250-message history twice
    const { n } = (await (await shardOf(channelId)).prepare("select count(*) as n from messages where channel_id = ?").bind(channelId).first<{ n: number }>())!;
    expect(n).toBe(TOTAL);
  });
});
