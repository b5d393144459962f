import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createChannel, expectError, expectStatus, newUser, send, settled } from "../helpers/api";
import { api } from "../helpers/client";
import { freezeClock } from "../helpers/clock";
import { connectUser, hubOf } from "../helpers/user-socket";

// DESIGN §18: a reminder is listed from the directory and fired by the user's hub alarm: a
// `reminder` frame on the user socket at its time. The clock is frozen and the hub's alarm run by
// the test when the clock reaches it.

const alarmOf = (userId: string) => runInDurableObject(hubOf(userId), (_hub, state) => state.storage.getAlarm());

describe("reminders", () => {
  it("POST → 201, listed, the hub's alarm at the earliest, a `reminder` frame at its time, then gone from the list", async () => {
    const clock = freezeClock();
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const chat = await createChannel(alice, { type: "group", name: "Rota", member_ids: [bob.id] });
    const message = await send(alice, chat.id, "who takes Saturday?");
    await settled(chat.id);
    const t0 = Math.floor(clock.now() / 1000);
    const reminders = api(bob.token).v1.reminders;
    const later = await expectStatus(reminders.$post({ json: { channel_id: chat.id, text: "check the rota again", remind_at: t0 + 7200 } }), 201);
    const sooner = await expectStatus(reminders.$post({ json: { channel_id: chat.id, message_id: message.id, text: "answer Alice", remind_at: new Date((t0 + 3600) * 1000).toISOString() } }), 201);
    expect(sooner.reminder).toMatchObject({ channel_id: chat.id, message_id: message.id, text: "answer Alice", remind_at: t0 + 3600 });
    expect((await expectStatus(reminders.$get(), 200)).reminders).toEqual([sooner.reminder, later.reminder]);
    expect((await expectStatus(api(alice.token).v1.reminders.$get(), 200)).reminders).toEqual([]);
    expect(await alarmOf(bob.id)).toBe((t0 + 3600) * 1000);

    const { client } = await connectUser({ user: bob });
    clock.advance(3600_000);
    await runDurableObjectAlarm(hubOf(bob.id));
    expect(await client.expect("reminder")).toMatchObject({ seq: expect.any(Number), data: sooner.reminder });
    expect((await expectStatus(reminders.$get(), 200)).reminders).toEqual([later.reminder]);
    expect(await alarmOf(bob.id)).toBe((t0 + 7200) * 1000);
    await expectError(api(bob.token).v1.reminders[":reminderID"].$delete({ param: { reminderID: sooner.reminder.id } }), 404, "CHAT_REMINDER_NOT_FOUND");

    // Deleted: never fires, and the hub's alarm is gone with the last one.
    await expectError(api(alice.token).v1.reminders[":reminderID"].$delete({ param: { reminderID: later.reminder.id } }), 404, "CHAT_REMINDER_NOT_FOUND");
    await expectStatus(api(bob.token).v1.reminders[":reminderID"].$delete({ param: { reminderID: later.reminder.id } }), 204);
    expect(await alarmOf(bob.id)).toBeNull();
    expect(await hubOf(bob.id).reminderStats()).toEqual({ waiting: 0, wakes: 1 });
    await client.expectSilence();
  });

  it("refuses what it cannot remind of: a bad time, a channel you are not in, a message not there", async () => {
    const [alice, stranger] = [await newUser("Alice"), await newUser("Stranger")];
    const chat = await createChannel(alice, { type: "group", name: "Private" });
    const soon = Math.floor(Date.now() / 1000) + 60;
    const post = (token: string, json: Record<string, unknown>) => api(token).v1.reminders.$post({ json: json as never });
    await expectError(post(alice.token, { channel_id: chat.id, remind_at: Math.floor(Date.now() / 1000) + 2 }), 400, "VALIDATION_FAILED");
    await expectError(post(alice.token, { channel_id: chat.id, remind_at: "next week" }), 400, "VALIDATION_FAILED");
    await expectError(post(alice.token, { channel_id: chat.id, text: "x".repeat(1001), remind_at: soon }), 400, "VALIDATION_FAILED");
    await expectError(post(stranger.token, { channel_id: chat.id, remind_at: soon }), 404, "CHAT_CHANNEL_NOT_FOUND");
    await expectError(post(alice.token, { channel_id: chat.id, message_id: "1234567890123456789", remind_at: soon }), 404, "CHAT_MESSAGE_NOT_FOUND");
    expect((await expectStatus(api(alice.token).v1.reminders.$get(), 200)).reminders).toEqual([]);
    expect(await env.DB.prepare("select count(*) as n from reminders where user_id = ?").bind(alice.id).first("n")).toBe(0);
  });
});
