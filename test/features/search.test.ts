import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type TestUser, createChannel, expectError, expectStatus, newUser, send } from "../helpers/api";
import { api, rawRequest } from "../helpers/client";
import { channelOnShard, shardNameOf, shardOf } from "../helpers/shards";
import { ftsMatch, searchWords } from "../../src/features/search/match";

type Query = { q: string; channel_id?: string; limit?: string; before?: string };
const search = (user: TestUser, query: Query) => api(user.token).v1.search.messages.$get({ query });
const found = async (user: TestUser, query: Query) => (await expectStatus(search(user, query), 200)).messages.map((m) => m.body);
const messages = (user: TestUser) => api(user.token).v1.channels[":channelID"].messages;

/** A unique word per test, so tests sharing the file's D1 never see each other's messages. */
const tag = () => `t${Math.random().toString(36).slice(2, 10)}`;

async function group() {
  const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
  const ch = await createChannel(alice, { type: "group", name: "G", member_ids: [bob.id] });
  return { alice, bob, ch, t: tag() };
}

describe("GET /v1/search/messages", () => {
  it("matches words as prefixes, all required, ignoring case and accents, newest first", async () => {
    const { alice, bob, ch, t } = await group();
    await send(alice, ch.id, `${t} Lunch at the café tomorrow`);
    await send(bob, ch.id, `${t} CAFÉ closed today`);
    await send(alice, ch.id, `${t} nothing here`);
    expect(await found(bob, { q: `${t} cafe` })).toEqual([`${t} CAFÉ closed today`, `${t} Lunch at the café tomorrow`]);
    expect(await found(bob, { q: `${t} CAFÉ` })).toHaveLength(2);
    expect(await found(bob, { q: `${t} caf` })).toHaveLength(2);
    expect(await found(bob, { q: `${t} café tomor` })).toEqual([`${t} Lunch at the café tomorrow`]);
    expect(await found(bob, { q: `${t} café closed tomorrow` })).toEqual([]);
    expect(await found(bob, { q: `${t} afe` })).toEqual([]); // prefixes, not substrings
    const [first] = (await expectStatus(search(bob, { q: `${t} closed` }), 200)).messages;
    expect(first).toMatchObject({ channel_id: ch.id, sender_id: bob.id, sender_name: "Bob", deleted: false, reactions: [] });
  });

  it("treats double quotes as a phrase of whole words", async () => {
    const { alice, ch, t } = await group();
    await send(alice, ch.id, `${t} the red car is fast`);
    await send(alice, ch.id, `${t} a car that is red`);
    expect(await found(alice, { q: `${t} red car` })).toHaveLength(2);
    expect(await found(alice, { q: `${t} "red car"` })).toEqual([`${t} the red car is fast`]);
    expect(await found(alice, { q: `"${t} the red"` })).toEqual([`${t} the red car is fast`]);
    expect(await found(alice, { q: `${t} "red ca"` })).toEqual([]); // a phrase's words are whole
  });

  it("finds an edit by its new words only, and a deleted message not at all", async () => {
    const { alice, ch, t } = await group();
    const m = await send(alice, ch.id, `${t} original wording`);
    const gone = await send(alice, ch.id, `${t} soon deleted`);
    await expectStatus(messages(alice)[":messageID"].$put({ param: { channelID: ch.id, messageID: m.id }, json: { body: `${t} revised text` } }), 200);
    expect(await found(alice, { q: `${t} original` })).toEqual([]);
    expect(await found(alice, { q: `${t} revised` })).toEqual([`${t} revised text`]);
    await expectStatus(messages(alice)[":messageID"].$delete({ param: { channelID: ch.id, messageID: gone.id } }), 204);
    expect(await found(alice, { q: `${t} soon` })).toEqual([]);
    expect(await found(alice, { q: t })).toEqual([`${t} revised text`]);
  });

  it("searches only the caller's channels now; channel_id narrows to one, and is 404 unless a member", async () => {
    const { alice, bob, ch, t } = await group();
    const [carol, dave] = [await newUser("Carol"), await newUser("Dave")];
    const other = await createChannel(alice, { type: "group", name: "Other", member_ids: [carol.id] });
    const room = await createChannel(carol, { type: "room", name: "Room" });
    await send(alice, ch.id, `${t} in the group`);
    await send(alice, other.id, `${t} in the other`);
    await send(carol, room.id, `${t} in the room`);
    expect(await found(bob, { q: t })).toEqual([`${t} in the group`]);
    expect(await found(alice, { q: t })).toEqual([`${t} in the other`, `${t} in the group`]);
    expect(await found(alice, { q: t, channel_id: other.id })).toEqual([`${t} in the other`]);
    expect(await found(dave, { q: t })).toEqual([]);
    await expectError(search(bob, { q: t, channel_id: other.id }), 404, "CHAT_CHANNEL_NOT_FOUND");
    await expectError(search(bob, { q: t, channel_id: room.id }), 404, "CHAT_CHANNEL_NOT_FOUND"); // a room you have not joined
    await expectError(search(bob, { q: t, channel_id: "1234567890123456789" }), 404, "CHAT_CHANNEL_NOT_FOUND");
    await expectError(search(bob, { q: t, channel_id: "nope" }), 404, "CHAT_CHANNEL_NOT_FOUND");
    // Leaving a channel takes it out of the search.
    await expectStatus(api(bob.token).v1.channels[":channelID"].members[":userID"].$delete({ param: { channelID: ch.id, userID: "me" } }), 204);
    expect(await found(bob, { q: t })).toEqual([]);
  });

  it("merges both history shards newest first and pages with before", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const t = tag();
    const byShard = new Map<D1Database, string>();
    for (let i = 0; i < 20 && byShard.size < 2; i++) {
      const ch = await createChannel(alice, { type: "group", name: `S${i}`, member_ids: [bob.id] });
      const shard = await shardOf(ch.id);
      if (!byShard.has(shard)) byShard.set(shard, ch.id);
    }
    const [c0, c1] = [byShard.get(env.HISTORY_0)!, byShard.get(env.HISTORY_1)!];
    expect(c0 && c1).toBeTruthy();
    for (const [i, ch] of [c0, c1, c1, c0, c1].entries()) await send(alice, ch, `${t} number ${i}`);
    const all = await expectStatus(search(bob, { q: t }), 200);
    expect(all.messages.map((m) => m.body)).toEqual([4, 3, 2, 1, 0].map((i) => `${t} number ${i}`));
    expect(all.messages.map((m) => m.channel_id)).toEqual([c1, c0, c1, c1, c0]);
    expect(all.has_more).toBe(false);
    const seen: string[] = [];
    let before: string | undefined;
    for (let page = 0; page < 3; page++) {
      const res = await expectStatus(search(bob, { q: t, limit: "2", ...(before ? { before } : {}) }), 200);
      seen.push(...res.messages.map((m) => m.body));
      expect(res.has_more).toBe(page < 2);
      before = res.messages.at(-1)?.id;
    }
    expect(seen).toEqual(all.messages.map((m) => m.body));
  });

  it("searches a small channel without walking a big channel's hits on the same shard (rows read)", async () => {
    const { alice, ch: small, t } = await group();
    const big = await channelOnShard(await shardNameOf(small.id), () => createChannel(alice, { type: "group", name: "Big" }));
    // 400 messages with the word in the big channel, written straight to its shard (the triggers index them).
    const shard = await shardOf(big.id);
    const base = BigInt(big.id);
    const rows = Array.from({ length: 400 }, (_, i) => `('${base + BigInt(i + 1) * 4096n}', '${big.id}', NULL, '${alice.id}', '${t} everywhere', 0)`);
    await shard.prepare(`insert into messages (id, channel_id, position, sender_id, body, created_at) values ${rows.join(",")}`).run();
    const mine = await send(alice, small.id, `${t} here`);
    const res = await search(alice, { q: t, channel_id: small.id });
    expect((await expectStatus(res, 200)).messages.map((m) => m.id)).toEqual([mine.id]);
    const read = Number(res.headers.get("Server-Timing")!.match(/d1-rows-read;desc="(\d+)"/)![1]);
    expect(read).toBeLessThan(100); // not the 400 hits of the big channel
    // Across all the caller's channels, both are found.
    const all = await expectStatus(search(alice, { q: t, limit: "100" }), 200);
    expect([all.messages.length, all.has_more]).toEqual([100, true]);
  });

  it("takes nothing in q as syntax: every hostile q is 200 with a valid body", async () => {
    const { alice, ch, t } = await group();
    await send(alice, ch.id, `${t} body x or y, near a b`);
    const hostile = [
      "*", '"', 'a"b', "NEAR(a b)", "body:x", "-x", "x OR y", "^x", "(", ")", "'", "\\", "%",
      "😀".repeat(200), "AND", "a*b", "\u0000\u0001\u200b\u202e\u0007x", "NOT", "OR", '""', '"""', "NEAR(", `${t}*`, `${t}:`, "channel_id:1",
      "{body}: x", "x AND", "a - b", "✓✓✓",
    ].map(encodeURIComponent);
    // Bytes that are not UTF-8 (a lone surrogate's encoding, a stray continuation byte) and a bare %.
    hostile.push("%ED%A0%BDx", "%FFx", "%", "%%41");
    for (const q of hostile) {
      const res = await rawRequest("GET", `/v1/search/messages?q=${q}`, { token: alice.token });
      const text = await res.text();
      expect(res.status, `${JSON.stringify(q)}: ${text}`).toBe(200);
      const body = JSON.parse(text);
      expect(body, JSON.stringify(q)).toEqual({ messages: expect.any(Array), has_more: false });
    }
    // Operators are words: "x OR y" needs x, or and y (prefixes), "-x" is x, "body:x" is "body x".
    expect(await found(alice, { q: `${t} x OR y` })).toHaveLength(1);
    expect(await found(alice, { q: `${t} -x` })).toHaveLength(1);
    expect(await found(alice, { q: `${t} body:x` })).toHaveLength(1);
    expect(await found(alice, { q: `${t} NEAR(a b)` })).toHaveLength(1);
    expect(await found(alice, { q: `${t} zzz OR x` })).toEqual([]);
    expect(await found(alice, { q: "😀".repeat(200) })).toEqual([]);
  });

  it("refuses an empty q, one over 200 characters, and bad paging (400)", async () => {
    const { alice } = await group();
    await expectError(search(alice, { q: "" }), 400, "VALIDATION_FAILED");
    await expectError(rawRequest("GET", "/v1/search/messages", { token: alice.token }), 400, "VALIDATION_FAILED");
    await expectError(search(alice, { q: "a".repeat(201) }), 400, "VALIDATION_FAILED");
    await expectStatus(search(alice, { q: "a".repeat(200) }), 200);
    await expectError(search(alice, { q: "a", limit: "0" }), 400, "VALIDATION_FAILED");
    await expectError(search(alice, { q: "a", limit: "101" }), 400, "VALIDATION_FAILED");
    await expectError(search(alice, { q: "a", before: "123" }), 400, "VALIDATION_FAILED");
    // Behind the same authentication (and per-user rate limit) as every /v1 route.
    await expectError(rawRequest("GET", "/v1/search/messages?q=a"), 401, "AUTH_REQUIRED");
  });

  it("refuses more than 8 distinct words (400 on q) before any query, and counts a repeated word once", async () => {
    const { alice, ch, t } = await group();
    await send(alice, ch.id, `${t} one two three four five six seven`);
    const eight = `${t} one two three four five six seven`;
    // Repeats, in any case or accents, count once: still 8 distinct words.
    expect(await found(alice, { q: `${eight} ONE one Two ${t} seven sevén` })).toEqual([eight]);
    for (const q of [`${eight} eight`, `${eight} "one two"`, Array.from({ length: 100 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(" ")]) {
      const res = await search(alice, { q });
      const err = await expectError(res, 400, "VALIDATION_FAILED");
      expect(err.details, q).toEqual([expect.objectContaining({ in: "query", path: "q", message: "q must have at most 8 distinct words" })]);
      // Refused before any search: no D1 query ran for it.
      expect(res.headers.get("Server-Timing"), q).toContain('desc="0 queries"');
    }
    // Nothing changed: the message is still found.
    expect(await found(alice, { q: eight })).toEqual([eight]);
  });

  it("matches a one-letter word as a whole word only: \"a\", not \"apple\"", async () => {
    const { alice, bob, ch, t } = await group();
    await send(alice, ch.id, `${t} apple pie`);
    await send(alice, ch.id, `${t} a pie`);
    await send(alice, ch.id, `${t} A-team`);
    expect(await found(bob, { q: `${t} a` })).toEqual([`${t} A-team`, `${t} a pie`]);
    expect(await found(bob, { q: `${t} ap` })).toEqual([`${t} apple pie`]); // two letters: a prefix
    expect(await found(bob, { q: `${t} p` })).toEqual([]);
    expect(await found(bob, { q: `${t} A` })).toHaveLength(2);
  });

  it("has its own rate limit: past 60 searches a minute, 429 RATE_LIMITED with Retry-After, for that user's searches only", async () => {
    // SEARCH_RATE_LIMITER allows 60 per 60 s per user (wrangler.toml) in windows aligned to the
    // wall-clock minute: start when the window has time left, retry in the next one if it rolled over.
    const LIMIT = 60;
    const WINDOW_MS = 60_000;
    const windowOf = (ms: number) => Math.floor(ms / WINDOW_MS);
    const calm = await newUser();
    for (let attempt = 1; ; attempt++) {
      while (WINDOW_MS - (Date.now() % WINDOW_MS) < (attempt === 1 ? 30_000 : WINDOW_MS - 2_000)) await new Promise((r) => setTimeout(r, 250));
      const start = Date.now();
      const greedy = await newUser();
      const t = tag();
      // Refused queries spend nothing of the search budget.
      for (let i = 0; i < 3; i++) await expectError(search(greedy, { q: "a b c d e f g h i" }), 400, "VALIDATION_FAILED");
      const statuses: number[] = [];
      for (let sent = 0; sent < LIMIT; sent += 10) {
        statuses.push(...(await Promise.all(Array.from({ length: 10 }, async () => (await search(greedy, { q: t })).status))));
      }
      const refused = await search(greedy, { q: t });
      const other = await search(calm, { q: t });
      const me = await api(greedy.token).v1.users.me.$get(); // the rest of /v1 is not this limiter's
      const end = Date.now();
      if (windowOf(start) !== windowOf(end)) {
        await Promise.all([refused.text(), other.text(), me.text()]);
        if (attempt < 3) continue;
        throw new Error(`three runs of ${LIMIT + 1} searches did not fit in one window`);
      }
      expect(statuses).toEqual(Array(LIMIT).fill(200));
      const retryAfter = refused.headers.get("Retry-After");
      await expectError(refused, 429, "RATE_LIMITED");
      expect(retryAfter).toBe("60");
      expect(await expectStatus(other, 200)).toEqual({ messages: [], has_more: false });
      expect(await expectStatus(me, 200)).toEqual({ id: greedy.id, display_name: greedy.name, dnd_until: null });
      break;
    }
  }, 300_000);

  it("builds the MATCH expression from quoted tokens only", () => {
    expect(ftsMatch("café tomor")).toBe('"café"* "tomor"*');
    expect(ftsMatch('say "red car" now')).toBe('"say"* "red car" "now"*');
    expect(ftsMatch('ab"cd')).toBe('"ab"* "cd"*');
    expect(ftsMatch("NEAR(ab cd) body:xy -yz")).toBe('"NEAR ab"* "cd"* "body xy"* "yz"*');
    expect(ftsMatch("don't")).toBe('"don t"'); // its last run is one letter: whole
    expect(ftsMatch("😀 * ( ) ^ % \\ '")).toBeUndefined();
  });

  it("asks the index for a repeated term once and a one-letter word as a whole word", () => {
    expect(ftsMatch("lunch LUNCH lunch Lünch")).toBe('"lunch"*');
    expect(ftsMatch('a b "red car" "Red Car" red')).toBe('"a" "b" "red car" "red"*');
    expect(ftsMatch("é 1 x")).toBe('"é" "1" "x"');
    expect(searchWords("a a a a a a a a a a a a a a a a a a a a")).toBe(1);
    expect(searchWords('"very very good" very')).toBe(4); // each word of a phrase is a lookup
    expect(searchWords("don't")).toBe(2);
  });
});
