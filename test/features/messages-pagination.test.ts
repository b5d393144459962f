import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { type TestUser, addMember, call, createChannel, expectError, newUser, send } from "../helpers/api";
import { shardOf } from "../helpers/shards";

const TOTAL = 250;
let owner: TestUser;
let channelId: string;
/** Every message id, newest first: the reference order. */
let reference: string[];

beforeAll(async () => {
  owner = await newUser();
  const room = await createChannel(owner, { type: "room", name: "History" });
  channelId = room.id;
  const sent = [];
  for (let i = 0; i < TOTAL; i++) sent.push((await send(owner, channelId, `message ${i}`)).id);
  reference = sent.reverse();
  // A few tombstones are still visited exactly once.
  for (const id of [reference[3], reference[100], reference[249]]) {
    await call("DELETE", `/v1/channels/${channelId}/messages/${id}`, { token: owner.token });
  }
});

/** A fresh member per walk keeps each under the per-user rate limit. */
async function reader() {
  const user = await newUser();
  await addMember(user, channelId, user.id);
  return user;
}

async function page(user: TestUser, query: string) {
  const res = await call("GET", `/v1/channels/${channelId}/messages?${query}`, { token: user.token });
  expect(res.status).toBe(200);
  return res.json as { messages: { id: string; deleted: boolean }[]; has_more: boolean; has_more_after?: boolean };
}

describe("pagination", () => {
  it("visits every message exactly once walking back with `before`, for every limit 1–100", async () => {
    for (let limit = 1; limit <= 100; limit++) {
      const user = await reader();
      const seen: string[] = [];
      let cursor = "";
      for (;;) {
        const p = await page(user, `limit=${limit}${cursor && `&before=${cursor}`}`);
        expect(p.messages.length).toBeLessThanOrEqual(limit);
        seen.push(...p.messages.map((m) => m.id));
        if (!p.has_more) break;
        expect(p.messages.length).toBe(limit);
        cursor = p.messages.at(-1)!.id;
      }
      expect(seen, `limit ${limit}`).toEqual(reference);
    }
  }, 60_000);

  it("walks forward with `after` (pages newest first within themselves)", async () => {
    for (const limit of [1, 7, 50, 100]) {
      const user = await reader();
      const seen: string[] = [];
      let cursor = reference.at(-1)!;
      seen.push(cursor);
      for (;;) {
        const p = await page(user, `limit=${limit}&after=${cursor}`);
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
    expect((await page(user, `limit=1&around=${target}`)).messages.map((m) => m.id)).toEqual([target]);
    const p = await page(user, `limit=11&around=${target}`);
    expect(p.messages.map((m) => m.id)).toEqual(reference.slice(115, 126));
    expect(p.has_more).toBe(true);
    expect(p.has_more_after).toBe(true);
    const newest = await page(user, `limit=10&around=${reference[0]}`);
    expect(newest.messages.map((m) => m.id)).toEqual(reference.slice(0, 6));
    expect(newest.has_more_after).toBe(false);
  });

  it("defaults to 50 and validates limit and cursors", async () => {
    const user = await reader();
    expect((await page(user, "")).messages.map((m) => m.id)).toEqual(reference.slice(0, 50));
    for (const q of ["limit=0", "limit=101", "limit=abc", "before=123", `before=${reference[0]}&after=${reference[1]}`]) {
      expectError(await call("GET", `/v1/channels/${channelId}/messages?${q}`, { token: user.token }), 400, "VALIDATION_FAILED");
    }
  });

  it("lists 50 messages with reactions in a constant number of queries, reading only what it returns", async () => {
    const user = await reader();
    for (const id of reference.slice(0, 10)) {
      await call("POST", `/v1/channels/${channelId}/messages/${id}/reactions`, { token: user.token, body: { emote_asset_id: "7" } });
    }
    const res = await call("GET", `/v1/channels/${channelId}/messages?limit=50`, { token: user.token });
    const timing = res.headers.get("Server-Timing")!;
    expect(timing).toContain('desc="4 queries"'); // the channel (directory), the page (shard), its reactions (shard), its senders (directory)
    const rowsRead = Number(timing.match(/d1-rows-read;desc="(\d+)"/)![1]);
    expect(rowsRead).toBeLessThan(250); // 51 messages + 51 senders + 10 reactions + lookups; not the 250-message history twice
    const { n } = (await (await shardOf(channelId)).prepare("select count(*) as n from messages where channel_id = ?").bind(channelId).first<{ n: number }>())!;
    expect(n).toBe(TOTAL);
  });
});
