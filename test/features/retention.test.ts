import { createScheduledController, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { originalKey } from "../../src/features/attachments/storage";
import { signUserToken } from "../../src/platform/tokens";
import { scheduled } from "../../src/scheduled";
import { type TestUser, createChannel, expectError, expectStatus, listed, newUser, send, settled, upload } from "../helpers/api";
import { api, rawRequest } from "../helpers/client";
import { freezeClock } from "../helpers/clock";
import { SHARDS, channelOnShard, shardOf } from "../helpers/shards";

const DAY = 24 * 60 * 60 * 1000;
const admin = () => api(env.ADMIN_TOKEN).admin.v1;
const setChannel = (channelID: string, days: number | null) => admin().channels[":channelID"].retention.$put({ param: { channelID }, json: { days } });
/** The hourly housekeeping, exactly as the Cron Trigger runs it (retention sweep included). */
const runCron = () => scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "17 * * * *" }), env);
/** Tokens live 24 h and the tests move the clock by days: a fresh token at the frozen time. */
const fresh = async (u: TestUser): Promise<TestUser> => ({ ...u, token: (await signUserToken(env.JWT_SECRET, u.id, u.name)).token });

/**
 * A frozen clock that never goes back behind an earlier test's: ids carry their minting time and this
 * isolate's id generator never goes backwards, so a test starting "earlier" would mint ids from the future.
 */
let latest = 0;
function clockAfterEarlierTests() {
  const clock = freezeClock();
  if (latest >= clock.now()) clock.advance(latest - clock.now() + 1000);
  return {
    now: clock.now,
    advance(ms: number) {
      clock.advance(ms);
      latest = Math.max(latest, clock.now());
    },
  };
}

const count = async (db: D1Database, sql: string, ...args: unknown[]) => (await db.prepare(sql).bind(...args).first<{ n: number }>())!.n;

describe("retention", () => {
  it("deletes a message one second past its channel's limit with everything hanging off it, keeps one a second short, on both shards", async () => {
    const clock = clockAfterEarlierTests();
    let [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const channels = [];
    for (const shard of SHARDS) channels.push(await channelOnShard(shard, () => createChannel(alice, { type: "group", name: "Kept a day", member_ids: [bob.id] })));
    const old = [];
    for (const c of channels) {
      const file = await expectStatus(upload(alice, new TextEncoder().encode(`bytes of ${c.id}`), "text/plain", "notes.txt"), 201);
      const m = await send(alice, c.id, { body: `expiring walrus ${c.id}`, attachments: [{ asset_id: file.asset_id }], mentioned_user_ids: [bob.id] });
      await expectStatus(api(bob.token).v1.channels[":channelID"].messages[":messageID"].reactions.$post({ param: { channelID: c.id, messageID: m.id }, json: { emote_asset_id: "7" } }), 201);
      await expectStatus(api(alice.token).v1.channels[":channelID"].pins[":messageID"].$put({ param: { channelID: c.id, messageID: m.id } }), 204);
      old.push({ channel: c, message: m, asset: file.asset_id });
    }
    clock.advance(2000);
    const young = [];
    for (const c of channels) young.push(await send(alice, c.id, `staying walrus ${c.id}`));
    for (const c of channels) {
      expect(await expectStatus(setChannel(c.id, 1), 200)).toEqual({ channel_id: c.id, days: 1, effective_days: 1, on_hold: false });
      expect((await listed(bob, c.id))!).toMatchObject({ unread_count: 2, mention_count: 1 });
    }

    // The old ones are a day and a second old, the young ones a day less a second.
    clock.advance(DAY - 1000);
    [alice, bob] = [await fresh(alice), await fresh(bob)];
    for (const c of channels) await settled(c.id);
    await runCron();

    for (const [i, { channel, message, asset }] of old.entries()) {
      const shard = await shardOf(channel.id);
      expect(await count(shard, "select count(*) as n from messages where id = ?", message.id)).toBe(0);
      expect(await count(shard, "select count(*) as n from reactions where message_id = ?", message.id)).toBe(0);
      expect(await count(shard, "select count(*) as n from reaction_counts where message_id = ?", message.id)).toBe(0);
      expect(await count(shard, "select count(*) as n from messages_fts where rowid = cast(? as integer)", message.id)).toBe(0);
      expect(await count(shard, "select count(*) as n from messages where channel_id = ?", channel.id)).toBe(1);
      expect(await count(env.DB, "select count(*) as n from mentions where message_id = ?", message.id)).toBe(0);
      expect(await count(env.DB, "select count(*) as n from attachments where id = ?", asset)).toBe(0);
      expect(await env.ATTACHMENTS.head(originalKey(asset))).toBeNull();
      // What the API shows: only the young message, no pin, the right counts.
      const page = await expectStatus(api(alice.token).v1.channels[":channelID"].messages.$get({ param: { channelID: channel.id }, query: {} }), 200);
      expect(page.messages.map((m) => m.id)).toEqual([young[i]!.id]);
      expect((await expectStatus(api(alice.token).v1.channels[":channelID"].pins.$get({ param: { channelID: channel.id } }), 200)).messages).toEqual([]);
      expect((await listed(bob, channel.id))!).toMatchObject({ unread_count: 1, mention_count: 0 });
      // Bob's cursor rose past what is gone, so the deleted positions below it were not kept.
      expect(await count(env.DB, "select count(*) as n from deleted_positions where channel_id = ?", channel.id)).toBe(0);
    }
    const found = await expectStatus(api(bob.token).v1.search.messages.$get({ query: { q: "walrus" } }), 200);
    expect(found.messages.map((m) => m.id).sort()).toEqual(young.map((m) => m.id).sort());

    const report = await expectStatus(admin().retention.$get(), 200);
    expect(report.days).toBeNull();
    expect(report.last_sweep).toMatchObject({ complete: true, channels: 2, messages: 2, attachments: 2, attachment_bytes: old.reduce((n, o) => n + `bytes of ${o.channel.id}`.length, 0) });
    expect(await count(env.DB, "select count(*) as n from audit_log where action = 'retention.sweep'")).toBeGreaterThan(0);
    // A second run finds nothing more.
    await runCron();
    expect((await expectStatus(admin().retention.$get(), 200)).last_sweep).toMatchObject({ messages: 0 });
    for (const c of channels) expect(await count(await shardOf(c.id), "select count(*) as n from messages where channel_id = ?", c.id)).toBe(1);
  });

  it("turns an expired thread root into a tombstone while a younger reply lives, and removes it once that goes", async () => {
    const clock = clockAfterEarlierTests();
    let alice = await newUser("Alice");
    const group = await createChannel(alice, { type: "group", name: "Threads" });
    const root = await send(alice, group.id, "root");
    const oldReply = await send(alice, group.id, { body: "old reply", parent_id: root.id });
    clock.advance(10_000);
    const youngReply = await send(alice, group.id, { body: "young reply", parent_id: root.id });
    await expectStatus(setChannel(group.id, 1), 200);
    clock.advance(DAY - 5_000);
    alice = await fresh(alice);
    await settled(group.id);
    await runCron();
    const shard = await shardOf(group.id);
    const rows = async () => (await shard.prepare("select id, body, deleted_at is not null as deleted, reply_count from messages where channel_id = ? order by id").bind(group.id).all()).results;
    expect(await rows()).toEqual([
      { id: root.id, body: "", deleted: 1, reply_count: 1 },
      { id: youngReply.id, body: "young reply", deleted: 0, reply_count: 0 },
    ]);
    expect(oldReply.id).not.toBe(youngReply.id);
    const replies = await expectStatus(api(alice.token).v1.channels[":channelID"].messages[":messageID"].replies.$get({ param: { channelID: group.id, messageID: root.id }, query: {} }), 200);
    expect(replies.messages.map((m) => m.id)).toEqual([youngReply.id]);
    clock.advance(10_000);
    await runCron();
    expect(await rows()).toEqual([]);
  });

  it("applies the app default to channels without their own limit; a channel's own limit wins either way", async () => {
    const clock = clockAfterEarlierTests();
    let alice = await newUser("Alice");
    const inherits = await createChannel(alice, { type: "group", name: "Inherits" });
    const keeps = await createChannel(alice, { type: "group", name: "Keeps longer" });
    await send(alice, inherits.id, "old news");
    await send(alice, keeps.id, "old but kept");
    expect(await expectStatus(setChannel(keeps.id, 3650), 200)).toMatchObject({ days: 3650, effective_days: 3650 });
    expect(await expectStatus(admin().retention.$put({ json: { days: 2 } }), 200)).toMatchObject({ days: 2 });
    try {
      expect(await expectStatus(admin().channels[":channelID"].retention.$get({ param: { channelID: inherits.id } }), 200)).toEqual({ channel_id: inherits.id, days: null, effective_days: 2, on_hold: false });
      clock.advance(2 * DAY + 1000);
      alice = await fresh(alice);
      await settled(inherits.id);
      await settled(keeps.id);
      await runCron();
      expect(await count(await shardOf(inherits.id), "select count(*) as n from messages where channel_id = ?", inherits.id)).toBe(0);
      expect(await count(await shardOf(keeps.id), "select count(*) as n from messages where channel_id = ?", keeps.id)).toBe(1);
      // Nothing left: the channel list no longer shows a last message time.
      expect((await listed(alice, inherits.id))!).toMatchObject({ unread_count: 0, last_message_at: null });
    } finally {
      await expectStatus(admin().retention.$put({ json: { days: null } }), 200);
    }
    expect(await count(env.DB, "select count(*) as n from audit_log where action = 'retention.set'")).toBeGreaterThanOrEqual(2);
  });

  it("answers bad input with 400, unknown channels with 404, and refuses user tokens", async () => {
    const alice = await newUser("Alice");
    const group = await createChannel(alice, { type: "group", name: "Validation" });
    for (const days of [0, 36501, 1.5, "30", -1]) {
      await expectError(rawRequest("PUT", "/admin/v1/retention", { token: env.ADMIN_TOKEN, json: { days } }), 400, "VALIDATION_FAILED");
      await expectError(rawRequest("PUT", `/admin/v1/channels/${group.id}/retention`, { token: env.ADMIN_TOKEN, json: { days } }), 400, "VALIDATION_FAILED");
    }
    await expectError(rawRequest("PUT", "/admin/v1/retention", { token: env.ADMIN_TOKEN, json: {} }), 400, "VALIDATION_FAILED");
    await expectError(setChannel("1234567890123456789", 5), 404, "CHAT_CHANNEL_NOT_FOUND");
    await expectError(admin().channels[":channelID"].retention.$get({ param: { channelID: "1234567890123456789" } }), 404, "CHAT_CHANNEL_NOT_FOUND");
    await expectError(rawRequest("GET", `/admin/v1/channels/not-an-id/retention`, { token: env.ADMIN_TOKEN }), 404, "CHAT_CHANNEL_NOT_FOUND");
    for (const [method, path] of [["GET", "/admin/v1/retention"], ["PUT", "/admin/v1/retention"], ["GET", `/admin/v1/channels/${group.id}/retention`], ["PUT", `/admin/v1/channels/${group.id}/retention`]] as const) {
      await expectError(rawRequest(method, path, { token: alice.token, json: method === "PUT" ? { days: 1 } : undefined }), 401, "AUTH_INVALID_TOKEN");
    }
    expect(await expectStatus(setChannel(group.id, null), 200)).toMatchObject({ days: null });
  });
  it("keeps what an active legal hold covers (a channel, a sender's messages) and lets the next sweep take it once released", async () => {
    const clock = clockAfterEarlierTests();
    let [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const heldChannel = await createChannel(alice, { type: "group", name: "Held", member_ids: [bob.id] });
    const mixed = await createChannel(alice, { type: "group", name: "Mixed", member_ids: [bob.id] });
    const inHeld = await send(alice, heldChannel.id, "held by channel");
    const byBob = await send(bob, mixed.id, "held by sender");
    const byAlice = await send(alice, mixed.id, "not held");
    for (const c of [heldChannel, mixed]) await expectStatus(setChannel(c.id, 1), 200);
    expect((await listed(bob, mixed.id))!.unread_count).toBe(1);
    const hold = await expectStatus(admin()["legal-holds"].$post({ json: { name: "Smith v. Acme", user_ids: [bob.id], channel_ids: [heldChannel.id] } }), 201);
    expect(hold).toMatchObject({ name: "Smith v. Acme", user_ids: [bob.id], channel_ids: [heldChannel.id], released_at: null });
    expect(await expectStatus(admin().channels[":channelID"].retention.$get({ param: { channelID: heldChannel.id } }), 200)).toMatchObject({ on_hold: true });
    clock.advance(DAY + 1000);
    [alice, bob] = [await fresh(alice), await fresh(bob)];
    for (const c of [heldChannel, mixed]) await settled(c.id);
    await runCron();
    const ids = async (channelId: string) => (await (await shardOf(channelId)).prepare("select id from messages where channel_id = ?").bind(channelId).all<{ id: string }>()).results.map((r) => r.id);
    expect(await ids(heldChannel.id)).toEqual([inHeld.id]);
    expect(await ids(mixed.id)).toEqual([byBob.id]);
    expect(byAlice.id).toBeTruthy();
    // Alice's expired message is no longer unread for Bob.
    expect((await listed(bob, mixed.id))!.unread_count).toBe(0);

    await expectStatus(admin()["legal-holds"][":holdID"].$delete({ param: { holdID: hold.id } }), 204);
    await expectStatus(admin()["legal-holds"][":holdID"].$delete({ param: { holdID: hold.id } }), 204);
    const listedHolds = await expectStatus(admin()["legal-holds"].$get(), 200);
    expect(listedHolds.holds.find((h) => h.id === hold.id)!.released_at).toEqual(expect.any(Number));
    await runCron();
    expect(await ids(heldChannel.id)).toEqual([]);
    expect(await ids(mixed.id)).toEqual([]);
    expect((await listed(alice, mixed.id))!.unread_count).toBe(0);
    expect(await count(env.DB, "select count(*) as n from audit_log where action in ('legal_hold.create', 'legal_hold.release') and details like ?", `%${hold.id}%`)).toBe(2);
  });

  it("refuses a hold without a name or anything to hold (400), an unknown hold (404) and user tokens on every compliance route", async () => {
    const alice = await newUser("Alice");
    await expectError(rawRequest("POST", "/admin/v1/legal-holds", { token: env.ADMIN_TOKEN, json: { name: "Nothing" } }), 400, "VALIDATION_FAILED");
    await expectError(rawRequest("POST", "/admin/v1/legal-holds", { token: env.ADMIN_TOKEN, json: { name: " ", user_ids: ["bob"] } }), 400, "VALIDATION_FAILED");
    await expectError(rawRequest("POST", "/admin/v1/legal-holds", { token: env.ADMIN_TOKEN, json: { name: "x", channel_ids: "1" } }), 400, "VALIDATION_FAILED");
    await expectError(admin()["legal-holds"][":holdID"].$delete({ param: { holdID: "1234567890123456789" } }), 404, "NOT_FOUND");
    for (const [method, path] of [["GET", "/admin/v1/legal-holds"], ["POST", "/admin/v1/legal-holds"], ["DELETE", "/admin/v1/legal-holds/1234567890123456789"]] as const) {
      await expectError(rawRequest(method, path, { token: alice.token, json: method === "POST" ? { name: "x", user_ids: [alice.id] } : undefined }), 401, "AUTH_INVALID_TOKEN");
    }
  });
});
