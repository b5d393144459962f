import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type TestUser, addMember, createChannel, expectError, expectStatus, newUser, send, uniqueId } from "../helpers/api";
import { api, invalid, rawRequest } from "../helpers/client";
import { freezeClock } from "../helpers/clock";
import { apiKey, publisher, withKey } from "../helpers/integration";
import { shardOf } from "../helpers/shards";
import { type Client, connect, openSocket } from "../helpers/ws";

const ch = (user: TestUser, channelID: string) => api(user.token).v1.channels[":channelID"];
const ban = (actor: TestUser, channelID: string, json: { user_id: string; reason?: string; duration_s?: number }) => ch(actor, channelID).bans.$post({ param: { channelID }, json });
const unban = (actor: TestUser, channelID: string, userID: string) => ch(actor, channelID).bans[":userID"].$delete({ param: { channelID, userID } });
const mute = (actor: TestUser, channelID: string, user_id: string, duration_s: number) => ch(actor, channelID).mutes.$post({ param: { channelID }, json: { user_id, duration_s } });
const unmute = (actor: TestUser, channelID: string, userID: string) => ch(actor, channelID).mutes[":userID"].$delete({ param: { channelID, userID } });
const sendRaw = (user: TestUser, channelID: string, body: string) => ch(user, channelID).messages.$post({ param: { channelID }, json: { body }, header: {} });
const slowMode = (actor: TestUser, channelID: string, slow_mode_s: number) => ch(actor, channelID).$put({ param: { channelID }, json: { slow_mode_s } });
const audit = (actor: TestUser, channelID: string, query: Record<string, string> = {}) => ch(actor, channelID)["audit-log"].$get({ param: { channelID }, query });
const adminAudit = (query: Record<string, string>) => api(env.ADMIN_TOKEN).admin.v1["audit-log"].$get({ query });
const historyOf = async (user: TestUser, channelID: string) => (await expectStatus(ch(user, channelID).messages.$get({ param: { channelID }, query: {} }), 200)).messages;
const memberRow = (channelId: string, userId: string) => env.DB.prepare("select role from channel_members where channel_id = ? and user_id = ?").bind(channelId, userId).first();
/** The next frame of `type`, skipping the others (events of other members' sends). */
async function until(client: Client, type: string) {
  for (;;) {
    const f = await client.next();
    if (f.type === type) return f;
  }
}
let n = 0;
const msgId = () => `m-${Date.now()}-${n++}`;

/** A group with an owner, an admin and two plain members; and a public room with the same people. */
async function team(type: "group" | "room" = "group") {
  const [owner, admin, member, other] = [await newUser("Owner"), await newUser("Admin"), await newUser("Member"), await newUser("Other")];
  const channel = await createChannel(owner, { type, name: "Team" });
  await expectStatus(addMember(owner, channel.id, admin.id, "admin"), 201);
  await expectStatus(addMember(owner, channel.id, member.id), 201);
  await expectStatus(addMember(owner, channel.id, other.id), 201);
  return { owner, admin, member, other, channel };
}

describe("bans", () => {
  it("ban removes the member (member_remove with reason, socket closed 4003), keeps them out, and is audited", async () => {
    const { owner, admin, member, other, channel } = await team("room");
    const { client: watcher } = await connect(channel.id, { user: other });
    const { client: victim } = await connect(channel.id, { user: member });
    const created = await expectStatus(ban(admin, channel.id, { user_id: member.id, reason: "spam" }), 201);
    expect(created).toEqual({ channel_id: channel.id, user_id: member.id, banned_by: admin.id, reason: "spam", created_at: expect.any(Number), expires_at: null });
    expect(await watcher.expect("member_remove")).toMatchObject({ data: { user_id: member.id, reason: "banned" } });
    expect((await victim.closed).code).toBe(4003);
    expect(await memberRow(channel.id, member.id)).toBeNull();
    // Cannot post, rejoin, be added or open a socket: 403 CHAT_BANNED everywhere.
    await expectError(sendRaw(member, channel.id, "let me back"), 403, "CHAT_BANNED");
    await expectError(addMember(member, channel.id, member.id), 403, "CHAT_BANNED");
    await expectError(addMember(owner, channel.id, member.id), 403, "CHAT_BANNED");
    const upgrade = await openSocket(channel.id, { user: member });
    expect(upgrade.status).toBe(403);
    expect(((await upgrade.json()) as { error: { code: string } }).error.code).toBe("CHAT_BANNED");
    expect(await historyOf(owner, channel.id)).toEqual([]);
    // Moderators list it; a second ban is 200 with the ban in force (not a second row, not a second event).
    expect(await expectStatus(ch(owner, channel.id).bans.$get({ param: { channelID: channel.id } }), 200)).toEqual({ bans: [created] });
    expect(await expectStatus(ban(owner, channel.id, { user_id: member.id, reason: "again" }), 200)).toEqual(created);
    await watcher.expectSilence();
    // Lifted: 204, then 404; the user may join again (not re-added by the unban).
    await expectStatus(unban(owner, channel.id, member.id), 204);
    await expectError(unban(owner, channel.id, member.id), 404, "CHAT_BAN_NOT_FOUND");
    expect(await memberRow(channel.id, member.id)).toBeNull();
    await expectStatus(addMember(member, channel.id, member.id), 201);
    await expectStatus(sendRaw(member, channel.id, "back"), 201);
    const log = await expectStatus(audit(owner, channel.id), 200);
    expect(log.entries.map((e) => [e.action, e.actor, e.target_user_id])).toEqual([
      ["unban", owner.id, member.id],
      ["ban", admin.id, member.id],
    ]);
    expect(log.entries[1]).toEqual({ id: expect.stringMatching(/^\d{19}$/), at: expect.any(Number), actor: admin.id, action: "ban", target_user_id: member.id, channel_id: channel.id, message_id: null, reason: "spam", details: { duration_s: null, expires_at: null } });
  });

  it("follows the roles: admins ban members, only the owner bans admins, nobody bans the owner; not in DMs", async () => {
    const { owner, admin, member, other, channel } = await team();
    const admin2 = await newUser("Admin2");
    await expectStatus(addMember(owner, channel.id, admin2.id, "admin"), 201);
    await expectError(ban(member, channel.id, { user_id: other.id }), 403, "CHAT_NOT_ADMIN");
    await expectError(ban(admin, channel.id, { user_id: admin2.id }), 403, "CHAT_NOT_ADMIN");
    await expectError(ban(admin, channel.id, { user_id: owner.id }), 403, "CHAT_CANNOT_REMOVE_OWNER");
    await expectError(ban(admin, channel.id, { user_id: admin.id }), 400, "VALIDATION_FAILED");
    await expectError(ban(admin, channel.id, { user_id: uniqueId() }), 404, "CHAT_USER_NOT_FOUND");
    await expectError(ban(admin, channel.id, invalid({ user_id: other.id, duration_s: 0 })), 400, "VALIDATION_FAILED");
    await expectError(ban(admin, channel.id, invalid({ user_id: other.id, reason: "x".repeat(501) })), 400, "VALIDATION_FAILED");
    await expectError(mute(member, channel.id, other.id, 60), 403, "CHAT_NOT_ADMIN");
    await expectError(mute(admin, channel.id, admin2.id, 60), 403, "CHAT_NOT_ADMIN");
    await expectError(mute(admin, channel.id, other.id, 28 * 86400 + 1), 400, "VALIDATION_FAILED");
    // Nothing changed by the refusals.
    expect(await memberRow(channel.id, other.id)).toEqual({ role: "member" });
    expect(await memberRow(channel.id, admin2.id)).toEqual({ role: "admin" });
    expect((await expectStatus(audit(owner, channel.id), 200)).entries).toEqual([]);
    await expectError(audit(member, channel.id), 403, "CHAT_NOT_ADMIN");
    // The owner bans an admin.
    await expectStatus(ban(owner, channel.id, { user_id: admin2.id }), 201);
    const dm = await createChannel(owner, { type: "dm", user_id: member.id });
    await expectError(ban(owner, dm.id, { user_id: member.id }), 400, "CHAT_CANNOT_MODIFY_DM");
    await expectError(mute(owner, dm.id, member.id, 60), 400, "CHAT_CANNOT_MODIFY_DM");
    await expectError(slowMode(owner, dm.id, 10), 400, "CHAT_CANNOT_MODIFY_DM");
  });

  it("10 concurrent identical bans: exactly one 201, the rest 200 with the same ban, one event, one audit entry", async () => {
    const { owner, member, other, channel } = await team();
    const { client: watcher } = await connect(channel.id, { user: other });
    const results = await Promise.all(Array.from({ length: 10 }, () => ban(owner, channel.id, { user_id: member.id })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const bodies = await Promise.all(results.map((r) => r.json()));
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    await watcher.expect("member_remove");
    await watcher.expectSilence();
    expect((await expectStatus(audit(owner, channel.id, { action: "ban" }), 200)).entries).toHaveLength(1);
  });

  it("a timed ban ends by itself: the user may rejoin once it expires", async () => {
    const { owner, member, channel } = await team("room");
    const clock = freezeClock();
    const b = await expectStatus(ban(owner, channel.id, { user_id: member.id, duration_s: 60 }), 201);
    expect(b.expires_at).toBe(Math.ceil((clock.now() + 60_000) / 1000));
    clock.advance(59_000);
    await expectError(addMember(member, channel.id, member.id), 403, "CHAT_BANNED");
    clock.advance(1_001);
    await expectStatus(addMember(member, channel.id, member.id), 201);
    await expectStatus(sendRaw(member, channel.id, "hello again"), 201);
    expect((await expectStatus(ch(owner, channel.id).bans.$get({ param: { channelID: channel.id } }), 200)).bans).toEqual([]);
    await expectError(unban(owner, channel.id, member.id), 404, "CHAT_BAN_NOT_FOUND");
  });

  it("a banned publisher cannot post through the integration API", async () => {
    const { owner, channel } = await team();
    const { key } = await apiKey();
    const pub = await publisher("Bot");
    const path = `/chat/v1/conversations/${channel.id}/message`;
    expect((await withKey(key, "POST", path, { senderId: pub.id, text: "before" })).status).toBe(200);
    await expectStatus(ban(owner, channel.id, { user_id: `pub_${pub.id}` }), 201);
    const refused = await withKey(key, "POST", path, { senderId: pub.id, text: "after" });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ error: expect.stringContaining("banned"), path });
    expect((await historyOf(owner, channel.id)).map((m) => m.body)).toEqual(["before"]);
  });
});

describe("mutes", () => {
  it("refuse sends (REST, socket, integration), reactions and typing with CHAT_MUTED; deletes and read cursors stay open; expiry ends it", async () => {
    const { owner, admin, member, channel } = await team();
    const clock = freezeClock();
    const mine = await send(member, channel.id, "before the mute");
    const { client: memberSocket } = await connect(channel.id, { user: member });
    const { client: watcher } = await connect(channel.id, { user: owner });
    const m = await expectStatus(mute(admin, channel.id, member.id, 600), 201);
    const until = Math.ceil((clock.now() + 600_000) / 1000);
    expect(m).toEqual({ channel_id: channel.id, user_id: member.id, muted_by: admin.id, expires_at: until });
    expect(await expectStatus(mute(owner, channel.id, member.id, 60), 200)).toEqual(m);
    expect((await expectStatus(ch(member, channel.id).$get({ param: { channelID: channel.id } }), 200)).muted_until).toBe(until);
    expect((await expectStatus(ch(owner, channel.id).$get({ param: { channelID: channel.id } }), 200)).muted_until).toBeNull();
    // The channel list says it too (a client shows why it cannot post without reading each channel).
    const listed = async (user: TestUser) => (await expectStatus(api(user.token).v1.channels.$get({ query: {} }), 200)).find((c: { id: string }) => c.id === channel.id);
    expect(await listed(member)).toMatchObject({ muted_until: until });
    expect(await listed(owner)).toMatchObject({ muted_until: null });

    await expectError(sendRaw(member, channel.id, "hi"), 403, "CHAT_MUTED");
    const id = msgId();
    memberSocket.send({ type: "send", client_msg_id: id, body: "hi" });
    expect(await memberSocket.expect("error")).toMatchObject({ client_msg_id: id, data: { code: "CHAT_MUTED" } });
    memberSocket.send({ type: "typing" });
    expect(await memberSocket.expect("error")).toMatchObject({ data: { code: "CHAT_MUTED" } });
    const param = { channelID: channel.id, messageID: mine.id };
    await expectError(ch(member, channel.id).messages[":messageID"].reactions.$post({ param, json: { emote_asset_id: "1" } }), 403, "CHAT_MUTED");
    await expectError(ch(member, channel.id).typing.$post({ param: { channelID: channel.id } }), 403, "CHAT_MUTED");
    await watcher.expectSilence();
    // Still allowed: the read cursor and deleting their own message.
    await expectStatus(ch(member, channel.id).read.$post({ param: { channelID: channel.id }, json: { last_read_message_id: mine.id } }), 200);
    await expectStatus(ch(member, channel.id).messages[":messageID"].$delete({ param }), 204);
    expect((await watcher.expect("read")).data).toMatchObject({ user_id: member.id });
    expect((await watcher.expect("message_delete")).data).toMatchObject({ id: mine.id });
    expect(await historyOf(owner, channel.id)).toMatchObject([{ id: mine.id, deleted: true }]);

    // Expiry: the remembered verdict stops refusing at expires_at, with no read.
    clock.advance(600_001);
    expect((await expectStatus(ch(member, channel.id).$get({ param: { channelID: channel.id } }), 200)).muted_until).toBeNull();
    await expectStatus(sendRaw(member, channel.id, "free again"), 201);
    await expectError(unmute(owner, channel.id, member.id), 404, "CHAT_MUTE_NOT_FOUND");
  });

  it("unmute lifts it at once (204, then 404), and mutes are listed for moderators only", async () => {
    const { owner, member, other, channel } = await team();
    const m = await expectStatus(mute(owner, channel.id, member.id, 3600), 201);
    expect(await expectStatus(ch(owner, channel.id).mutes.$get({ param: { channelID: channel.id } }), 200)).toEqual({ mutes: [m] });
    await expectError(ch(other, channel.id).mutes.$get({ param: { channelID: channel.id } }), 403, "CHAT_NOT_ADMIN");
    await expectError(sendRaw(member, channel.id, "x"), 403, "CHAT_MUTED");
    await expectError(mute(owner, channel.id, (await newUser()).id, 60), 404, "CHAT_USER_NOT_FOUND");
    await expectStatus(unmute(owner, channel.id, member.id), 204);
    await expectError(unmute(owner, channel.id, member.id), 404, "CHAT_MUTE_NOT_FOUND");
    await expectStatus(sendRaw(member, channel.id, "x"), 201);
    expect((await expectStatus(audit(owner, channel.id), 200)).entries.map((e) => e.action)).toEqual(["unmute", "mute"]);
  });

  it("a muted publisher is refused on the integration API", async () => {
    const { owner, channel } = await team();
    const { key } = await apiKey();
    const pub = await publisher("Muted Bot");
    await expectStatus(mute(owner, channel.id, `pub_${pub.id}`, 60), 201);
    const refused = await withKey(key, "POST", `/chat/v1/conversations/${channel.id}/message`, { senderId: pub.id, text: "x" });
    expect(refused.status).toBe(403);
    expect(refused.json.error).toContain("muted");
    expect(await historyOf(owner, channel.id)).toEqual([]);
  });
});

describe("slow mode", () => {
  it("shown on the channel; a member waits slow_mode_s between top-level messages (REST and socket), moderators and publishers do not", async () => {
    const { owner, admin, member, channel } = await team();
    const clock = freezeClock();
    const updated = await expectStatus(slowMode(admin, channel.id, 30), 200);
    expect(updated).toMatchObject({ id: channel.id, slow_mode_s: 30, muted_until: null });
    await expectError(slowMode(member, channel.id, 0), 403, "CHAT_NOT_ADMIN");
    await expectError(slowMode(owner, channel.id, invalid(21_601)), 400, "VALIDATION_FAILED");
    await expectError(slowMode(owner, channel.id, invalid(-1)), 400, "VALIDATION_FAILED");

    const first = await send(member, channel.id, "one");
    clock.advance(10_000);
    const refused = await sendRaw(member, channel.id, "two");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("20");
    expect(((await refused.json()) as unknown as { error: { code: string } }).error.code).toBe("CHAT_SLOW_MODE");
    const { client } = await connect(channel.id, { user: member });
    const id = msgId();
    client.send({ type: "send", client_msg_id: id, body: "two" });
    expect(await client.expect("error")).toMatchObject({ client_msg_id: id, data: { code: "CHAT_SLOW_MODE", details: { retry_after: 20 } } });
    // A reply is not a top-level message: not slowed.
    await expectStatus(ch(member, channel.id).messages.$post({ param: { channelID: channel.id }, json: { body: "a reply", parent_id: first.id }, header: {} }), 201);
    // Moderators and publishers are exempt.
    await send(owner, channel.id, "a");
    await send(owner, channel.id, "b");
    await send(admin, channel.id, "c");
    await send(admin, channel.id, "d");
    const { key } = await apiKey();
    const pub = await publisher("Fast Bot");
    for (const text of ["p1", "p2"]) expect((await withKey(key, "POST", `/chat/v1/conversations/${channel.id}/message`, { senderId: pub.id, text })).status).toBe(200);
    clock.advance(20_000);
    client.send({ type: "send", client_msg_id: msgId(), body: "two, later" });
    expect((await until(client, "ack")).data.body).toBe("two, later");
    // Off again: no wait.
    await expectStatus(slowMode(owner, channel.id, 0), 200);
    await expectStatus(sendRaw(member, channel.id, "three"), 201);
    const log = await expectStatus(audit(owner, channel.id, { action: "slow_mode" }), 200);
    expect(log.entries.map((e) => e.details)).toEqual([
      { from: 30, to: 0 },
      { from: 0, to: 30 },
    ]);
  });

  it("of concurrent sends by one slowed member exactly one is accepted", async () => {
    const { owner, member, channel } = await team();
    await expectStatus(slowMode(owner, channel.id, 60), 200);
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => sendRaw(member, channel.id, `race ${i}`)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 429, 429, 429, 429]);
    expect(await historyOf(owner, channel.id)).toHaveLength(1);
  });
});

describe("audit log", () => {
  it("the admin API filters by actor, target, action and channel; entries cannot be edited or deleted", async () => {
    const { owner, member, other, channel } = await team();
    await expectStatus(ban(owner, channel.id, { user_id: member.id, reason: "r1" }), 201);
    await expectStatus(mute(owner, channel.id, other.id, 60), 201);
    const byTarget = await expectStatus(adminAudit({ target: member.id }), 200);
    expect(byTarget.entries.map((e) => [e.action, e.channel_id])).toEqual([["ban", channel.id]]);
    expect((await expectStatus(adminAudit({ actor: owner.id }), 200)).entries.map((e) => e.action)).toEqual(["mute", "ban"]);
    expect((await expectStatus(adminAudit({ actor: owner.id, action: "mute" }), 200)).entries).toHaveLength(1);
    expect((await expectStatus(adminAudit({ channel_id: channel.id, limit: "1" }), 200))).toMatchObject({ has_more: true, entries: [{ action: "mute" }] });
    await expectError(rawRequest("GET", "/admin/v1/audit-log", { token: owner.token }), 401, "AUTH_INVALID_TOKEN");
    await expect(env.DB.prepare("update audit_log set reason = 'x' where channel_id = ?").bind(channel.id).run()).rejects.toThrow(/append-only/);
    await expect(env.DB.prepare("delete from audit_log where channel_id = ?").bind(channel.id).run()).rejects.toThrow(/append-only/);
  });

  it("a moderator's delete of someone else's message is audited (stored or still waiting in the room); an author's own is not", async () => {
    const { owner, member, channel } = await team();
    const stored = await send(member, channel.id, "stored");
    const own = await send(owner, channel.id, "mine");
    const del = (actor: TestUser, messageID: string) => ch(actor, channel.id).messages[":messageID"].$delete({ param: { channelID: channel.id, messageID } });
    await expectStatus(del(owner, stored.id), 204);
    await expectStatus(del(owner, own.id), 204);
    // A message the room accepted but has not flushed: deleted on the room's copy, audited all the same.
    const room = env.CHANNEL_ROOM.getByName(channel.id);
    await room.pauseFlushes(true);
    try {
      const { client } = await connect(channel.id, { user: member });
      client.send({ type: "send", client_msg_id: msgId(), body: "waiting" });
      const waiting = (await until(client, "ack")).data;
      await expectStatus(del(owner, waiting.id), 204);
      const entries = (await expectStatus(audit(owner, channel.id, { action: "message_delete" }), 200)).entries;
      expect(entries.map((e) => [e.actor, e.target_user_id, e.message_id])).toEqual([
        [owner.id, member.id, waiting.id],
        [owner.id, member.id, stored.id],
      ]);
      // The tombstones say who deleted them (DESIGN §15): the event at once, history once flushed.
      expect((await until(client, "message_delete")).data).toMatchObject({ id: waiting.id, deleted: true, deleted_by: "moderator" });
      const tombstones = async () => Object.fromEntries((await historyOf(member, channel.id)).map((m: { id: string; deleted_by: string | null }) => [m.id, m.deleted_by]));
      await room.pauseFlushes(false);
      await room.settle();
      const row = await (await shardOf(channel.id)).prepare("select deleted_by from messages where id = ?").bind(waiting.id).first();
      expect(row).toEqual({ deleted_by: "moderator" });
      expect(await tombstones()).toEqual({ [waiting.id]: "moderator", [own.id]: "author", [stored.id]: "moderator" });
    } finally {
      await room.pauseFlushes(false);
    }
  });
});
