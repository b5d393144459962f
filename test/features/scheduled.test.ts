import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type TestUser, createChannel, expectError, expectStatus, newUser, settled, upload } from "../helpers/api";
import { api } from "../helpers/client";
import { freezeClock } from "../helpers/clock";
import { shardOf } from "../helpers/shards";
import { connectUser } from "../helpers/user-socket";
import { connect } from "../helpers/ws";

// DESIGN §18: scheduled messages live in their channel's room and are sent by its alarm, through the
// same send as any message. The clock is frozen (test/helpers/clock.ts: the room shares the test's
// `Date`), and the alarm is run by the test when the clock reaches it (`runDurableObjectAlarm`).

const roomOf = (channelId: string) => env.CHANNEL_ROOM.getByName(channelId);
const alarmOf = (channelId: string) => runInDurableObject(roomOf(channelId), (_room, state) => state.storage.getAlarm());
const iso = (ms: number) => new Date(ms).toISOString();

const schedule = (user: TestUser, channelId: string, json: Record<string, unknown>) =>
  api(user.token).v1.channels[":channelID"].messages.$post({ param: { channelID: channelId }, json: json as never, header: {} });
const listOf = async (user: TestUser) => (await expectStatus(api(user.token).v1.users.me["scheduled-messages"].$get(), 200)).scheduled_messages;
const scheduledRoute = (user: TestUser) => api(user.token).v1.users.me["scheduled-messages"][":scheduledID"];

/** The channel's stored messages (the shard, as D1 holds them). */
const stored = async (channelId: string) => {
  await settled(channelId);
  return (await (await shardOf(channelId)).prepare("select id, sender_id, body, attachments from messages where channel_id = ? order by id").bind(channelId).all<{ id: string; sender_id: string; body: string; attachments: string }>()).results;
};

async function group() {
  const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
  const chat = await createChannel(alice, { type: "group", name: "Later", member_ids: [bob.id] });
  return { alice, bob, chat };
}

describe("scheduled messages", () => {
  it("send_at answers 202, is listed, arms the room's alarm for its time, and is sent then as a normal message", async () => {
    const clock = freezeClock();
    const { alice, bob, chat } = await group();
    const sendAt = clock.now() + 60_000;
    const { scheduled_message: s } = await expectStatus(schedule(bob, chat.id, { body: "see you at nine", send_at: iso(sendAt) }), 202);
    expect(s).toMatchObject({ channel_id: chat.id, body: "see you at nine", send_at: Math.floor(sendAt / 1000), status: "pending", failure_code: null, attachments: [] });
    expect(await listOf(bob)).toEqual([s]);
    expect(await listOf(alice)).toEqual([]);
    expect(await alarmOf(chat.id)).toBe(sendAt);
    expect(await stored(chat.id)).toEqual([]);

    const { client: aliceSocket } = await connect(chat.id, { user: alice });
    clock.advance(59_000);
    // An early wake (the flusher's, or any other) sends nothing and leaves the alarm at its time.
    await runDurableObjectAlarm(roomOf(chat.id));
    expect(await stored(chat.id)).toEqual([]);
    expect(await alarmOf(chat.id)).toBe(sendAt);
    clock.advance(1_000);
    expect(await runDurableObjectAlarm(roomOf(chat.id))).toBe(true);
    const event = await aliceSocket.expect("message");
    expect(event.data).toMatchObject({ sender_id: bob.id, body: "see you at nine", created_at: Math.floor(sendAt / 1000) });
    expect((await stored(chat.id)).map((m) => [m.id, m.sender_id, m.body])).toEqual([[event.data.id, bob.id, "see you at nine"]]);
    expect(await listOf(bob)).toEqual([]);
    expect((await roomOf(chat.id).stats()).scheduled).toMatchObject({ waiting: 0, wakes: 1, sent: 1, failed: 0 });
  });

  it("refuses a send_at outside 10 s to 30 days, a bad time, and what could not be sent now", async () => {
    const { alice, chat } = await group();
    const stranger = await newUser("Stranger");
    const now = Date.now();
    for (const send_at of [iso(now + 5_000), iso(now + 31 * 24 * 3600 * 1000), Math.floor(now / 1000) - 60]) {
      const err = await expectError(schedule(alice, chat.id, { body: "x", send_at }), 400, "VALIDATION_FAILED");
      expect(err.details).toEqual([expect.objectContaining({ path: "send_at" })]);
    }
    await expectError(schedule(alice, chat.id, { body: "x", send_at: "tomorrow morning" }), 400, "VALIDATION_FAILED");
    await expectError(schedule(alice, chat.id, { body: "", send_at: Math.floor(now / 1000) + 60 }), 400, "CHAT_EMPTY_MESSAGE");
    await expectError(schedule(stranger, chat.id, { body: "hi", send_at: Math.floor(now / 1000) + 60 }), 404, "CHAT_CHANNEL_NOT_FOUND");
    expect(await listOf(alice)).toEqual([]);
  });

  it("a sender removed before its time: nothing is stored, the list says failed with the code, the user socket gets scheduled_failed", async () => {
    const clock = freezeClock();
    const { alice, bob, chat } = await group();
    const { scheduled_message: s } = await expectStatus(schedule(bob, chat.id, { body: "too late", send_at: Math.floor(clock.now() / 1000) + 30 }), 202);
    const { client: hub } = await connectUser({ user: bob });
    await expectStatus(api(alice.token).v1.channels[":channelID"].members[":userID"].$delete({ param: { channelID: chat.id, userID: bob.id } }), 204);
    await hub.expect("channel_remove");
    clock.advance(30_000);
    expect(await runDurableObjectAlarm(roomOf(chat.id))).toBe(true);
    expect(await hub.expect("scheduled_failed")).toMatchObject({ data: { id: s.id, channel_id: chat.id, code: "CHAT_CHANNEL_NOT_FOUND" } });
    expect(await stored(chat.id)).toEqual([]);
    expect(await listOf(bob)).toEqual([{ ...s, status: "failed", failure_code: "CHAT_CHANNEL_NOT_FOUND", updated_at: expect.any(Number) }]);
    await expectError(scheduledRoute(bob).$patch({ param: { scheduledID: s.id }, json: { body: "again" } }), 409, "CHAT_SCHEDULED_NOT_PENDING");
    await expectStatus(scheduledRoute(bob).$delete({ param: { scheduledID: s.id } }), 204);
    expect(await listOf(bob)).toEqual([]);
  });

  it("the author edits (body, send_at: the alarm moves) and cancels (never sent); others get 404", async () => {
    const clock = freezeClock();
    const { alice, bob, chat } = await group();
    const t0 = Math.floor(clock.now() / 1000);
    const { scheduled_message: a } = await expectStatus(schedule(bob, chat.id, { body: "first draft", send_at: t0 + 120 }), 202);
    const { scheduled_message: b } = await expectStatus(schedule(bob, chat.id, { body: "cancel me", send_at: t0 + 60 }), 202);
    expect(await alarmOf(chat.id)).toBe((t0 + 60) * 1000);
    await expectError(scheduledRoute(alice).$patch({ param: { scheduledID: a.id }, json: { body: "mine now" } }), 404, "CHAT_SCHEDULED_NOT_FOUND");
    await expectError(scheduledRoute(alice).$delete({ param: { scheduledID: a.id } }), 404, "CHAT_SCHEDULED_NOT_FOUND");
    await expectError(scheduledRoute(bob).$patch({ param: { scheduledID: a.id }, json: { send_at: t0 + 2 } }), 400, "VALIDATION_FAILED");
    await expectError(scheduledRoute(bob).$patch({ param: { scheduledID: a.id }, json: { body: "" } }), 400, "CHAT_EMPTY_MESSAGE");
    const edited = await expectStatus(scheduledRoute(bob).$patch({ param: { scheduledID: a.id }, json: { body: "final", send_at: t0 + 30 } }), 200);
    expect(edited.scheduled_message).toMatchObject({ id: a.id, body: "final", send_at: t0 + 30 });
    expect(await alarmOf(chat.id)).toBe((t0 + 30) * 1000);
    await expectStatus(scheduledRoute(bob).$delete({ param: { scheduledID: b.id } }), 204);
    await expectError(scheduledRoute(bob).$delete({ param: { scheduledID: b.id } }), 404, "CHAT_SCHEDULED_NOT_FOUND");
    expect((await listOf(bob)).map((s) => [s.id, s.body])).toEqual([[a.id, "final"]]);

    clock.advance(200_000);
    expect(await runDurableObjectAlarm(roomOf(chat.id))).toBe(true);
    expect((await stored(chat.id)).map((m) => m.body)).toEqual(["final"]);
    await expectError(scheduledRoute(bob).$delete({ param: { scheduledID: a.id } }), 404, "CHAT_SCHEDULED_NOT_FOUND");
    expect(await listOf(bob)).toEqual([]);
  });

  it("claims its uploads when scheduled: no other message can take them, and the sent message carries them", async () => {
    const clock = freezeClock();
    const { bob, chat } = await group();
    const file = await expectStatus(upload(bob, new TextEncoder().encode("minutes of the meeting"), "text/plain", "minutes.txt"), 201);
    const { scheduled_message: s } = await expectStatus(schedule(bob, chat.id, { body: "the minutes", attachments: [{ asset_id: file.asset_id }], send_at: Math.floor(clock.now() / 1000) + 60 }), 202);
    expect(s.attachments).toEqual([expect.objectContaining({ asset_id: file.asset_id, filename: "minutes.txt" })]);
    const claimed = await env.DB.prepare("select message_id from attachments where id = ?").bind(file.asset_id).first<{ message_id: string }>();
    expect(claimed?.message_id).toBe(s.id);
    await expectError(schedule(bob, chat.id, { body: "again", attachments: [{ asset_id: file.asset_id }] }), 409, "CHAT_ATTACHMENT_IN_USE");
    clock.advance(60_000);
    await runDurableObjectAlarm(roomOf(chat.id));
    const [message] = await stored(chat.id);
    expect(JSON.parse(message!.attachments)).toEqual([expect.objectContaining({ asset_id: file.asset_id })]);
    expect((await env.DB.prepare("select message_id from attachments where id = ?").bind(file.asset_id).first<{ message_id: string }>())?.message_id).toBe(message!.id);
  });

  it("10,000 scheduled in one room: one alarm at the earliest due time, one wake per due time", async () => {
    // Frozen first: scheduling takes a while, and the due times are relative to this instant.
    const clock = freezeClock();
    const { bob, chat } = await group();
    const room = roomOf(chat.id);
    const base = clock.now();
    // Three due times an hour ahead (five messages each), then 9,985 a day and more ahead (one per
    // second). Hours, not seconds: the room's real alarm must not fire while the test runs (workerd
    // fires alarms by the real clock, the room reads the frozen one).
    const near = base + 3_600_000;
    const due = (i: number) => (i < 15 ? near + Math.floor(i / 5) * 300_000 : base + 86_400_000 + i * 1000);
    const idBase = 10n ** 18n + BigInt(base) * 4_194_304n;
    const started = performance.now();
    for (let i = 0; i < 10_000; i += 50) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, k) => {
          const n = i + k;
          const input = { channelId: chat.id, poster: { kind: "member" as const }, senderId: bob.id, uploaderId: bob.id, body: `scheduled ${n}`, assetIds: [] };
          return room.scheduledMessage({ op: "create", requestId: `bulk-${n}`, channelId: chat.id, scheduledId: String(idBase + BigInt(n)), sendAt: due(n), input });
        }),
      );
      for (const a of answers) expect(a).not.toHaveProperty("error");
    }
    const scheduling = Math.round(performance.now() - started);
    expect((await room.stats()).scheduled).toMatchObject({ waiting: 10_000, next_due: near });
    expect(await alarmOf(chat.id)).toBe(near);

    const wakeTimes: number[] = [];
    let runs = 0;
    for (let at = await alarmOf(chat.id); at !== null && at < base + 86_400_000; at = await alarmOf(chat.id)) {
      clock.advance(Math.max(0, at - clock.now()));
      const t = performance.now();
      await runDurableObjectAlarm(room);
      wakeTimes.push(Math.round(performance.now() - t));
      runs++;
    }
    const stats = await room.stats();
    // Three wakes sent the fifteen (the other runs were the flusher's own check that they reached D1).
    expect(stats.scheduled).toMatchObject({ wakes: 3, sent: 15, failed: 0, waiting: 9_985, next_due: base + 86_400_000 + 15_000 });
    expect(await alarmOf(chat.id)).toBe(base + 86_400_000 + 15_000);
    expect((await stored(chat.id)).length).toBe(15);
    console.log(JSON.stringify({ bench: "scheduled", scheduled: 10_000, scheduling_ms: scheduling, alarm_runs: runs, scheduled_wakes: stats.scheduled.wakes, wake_ms: wakeTimes }));
  }, 180_000);

  it("with the real clock: sent within 2 s of send_at by the room's own alarm", async () => {
    const { alice, bob, chat } = await group();
    const { client } = await connect(chat.id, { user: alice });
    const sendAt = Date.now() + 10_500;
    await expectStatus(schedule(bob, chat.id, { body: "on time", send_at: iso(sendAt) }), 202);
    const event = await client.expect("message", 20_000);
    const late = Date.now() - sendAt;
    expect(event.data).toMatchObject({ body: "on time", sender_id: bob.id });
    expect(late).toBeGreaterThanOrEqual(-5); // never early (ms rounding aside)
    expect(late).toBeLessThan(2000);
    console.log(JSON.stringify({ bench: "scheduled_accuracy", late_ms: late }));
  }, 30_000);
});
