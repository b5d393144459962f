// Web Push end to end (DESIGN §16): a stand-in push service (the loopback receiver) gets each push;
// the test, holding the subscription's private key, checks the VAPID JWT against the key the API
// publishes, decrypts the body, and reads the payload as a browser would.
import { createScheduledController, env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { scheduled } from "../../src/scheduled";
import { type TestUser, call, createChannel, newUser, send, settled } from "../helpers/api";
import { type Device, awaitPushes, newDevice, pushesTo, subscribe, vapidPublicKey } from "../helpers/push";
import { connectUser, hubOf } from "../helpers/user-socket";
import { eventually } from "../helpers/webhooks";

const put = (user: TestUser, path: string, body: unknown) => call("PUT", path, { token: user.token, body });
const level = (user: TestUser, channelId: string, notifications: string | null) => put(user, `/v1/channels/${channelId}/members/me`, { notifications });

/** A user with a browser subscribed. */
async function subscribed(name: string) {
  const user = await newUser(name);
  const device = await newDevice();
  await subscribe(user, device);
  return { user, device };
}

describe("who gets a push", () => {
  it("a DM: the other member, urgent, titled by the sender; never the sender", async () => {
    const alice = await subscribed("Alice Push");
    const bob = await subscribed("Bob Push");
    const key = await vapidPublicKey(bob.user);
    const dm = await createChannel(alice.user, { type: "dm", user_id: bob.user.id });
    const m = await send(alice.user, dm.id, "lunch at noon?");
    const [push] = await awaitPushes(bob.device, key, 1);
    expect(push!.payload).toEqual({ type: "message", channel_id: dm.id, message_id: m.id, sender_name: "Alice Push", title: "Alice Push", body: "lunch at noon?" });
    expect(push!.received.headers.urgency).toBe("high");
    expect(push!.received.headers.topic).toMatch(/^[\w-]{32}$/);
    // The sender's own device never gets their message: Alice's first push is Bob's answer.
    await send(bob.user, dm.id, "sure");
    await awaitPushes(alice.device, key, 1);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await pushesTo(alice.device, key)).map((p) => p.payload.body)).toEqual(["sure"]);
  });

  it("a room (default: mentions): a mention pushes, a plain message does not; `all` gets every message", async () => {
    const alice = await subscribed("Alice Room");
    const bob = await subscribed("Bob Room");
    const carol = await subscribed("Carol Room");
    const key = await vapidPublicKey(bob.user);
    const room = await createChannel(alice.user, { type: "room", name: "general-push" });
    for (const u of [bob.user, carol.user]) expect((await call("POST", `/v1/channels/${room.id}/members`, { token: u.token, body: { user_id: "me" } })).status).toBe(201);
    const set = await level(carol.user, room.id, "all");
    expect(set.status, set.text).toBe(200);
    expect(set.json).toMatchObject({ notifications: "all", notifications_default: false });
    await send(alice.user, room.id, "plain hello");
    const mention = await send(alice.user, room.id, { body: "@bob can you look?", mentioned_user_ids: [bob.user.id] });
    const [toBob] = await awaitPushes(bob.device, key, 1);
    expect(toBob!.payload).toMatchObject({ message_id: mention.id, title: "general-push", sender_name: "Alice Room" });
    expect(toBob!.received.headers.urgency).toBe("high");
    // Carol (all): the plain message at once; the mention 1 s later falls in her window and follows at its end.
    const toCarol = await awaitPushes(carol.device, key, 2);
    expect(toCarol.map((p) => p.payload.body)).toEqual(["plain hello", "@bob can you look?"]);
    expect(toCarol[0]!.received.headers.urgency).toBe("normal");
    await new Promise((r) => setTimeout(r, 1000));
    expect(await pushesTo(bob.device, key)).toHaveLength(1);
  });

  it("nothing for `none`, for do-not-disturb, for someone online, for a blocked sender", async () => {
    const alice = await newUser("Alice Quiet");
    const none = await subscribed("None");
    const dnd = await subscribed("Dnd");
    const online = await subscribed("Online");
    const blocker = await subscribed("Blocker");
    const control = await subscribed("Control");
    const key = await vapidPublicKey(alice);
    const group = await createChannel(alice, { type: "group", name: "quiet", member_ids: [none.user.id, dnd.user.id, online.user.id, blocker.user.id, control.user.id] });
    expect((await level(none.user, group.id, "none")).json).toMatchObject({ notifications: "none" });
    const until = new Date(Date.now() + 3600_000).toISOString();
    const me = await put(dnd.user, "/v1/users/me", { dnd_until: until });
    expect(me.status, me.text).toBe(200);
    expect(me.json.dnd_until).toBe(until);
    const blocked = await call("PUT", `/v1/users/me/blocks/${alice.id}`, { token: blocker.user.token });
    expect(blocked.status, blocked.text).toBeLessThan(300);
    const socket = await connectUser({ user: online.user });
    try {
      await send(alice, group.id, "anyone there?");
      // The control member (same group, default `all` in a group of 6) gets it: the others' silence is real.
      await awaitPushes(control.device, key, 1);
      await new Promise((r) => setTimeout(r, 1500));
      for (const quiet of [none, dnd, online, blocker]) expect(await pushesTo(quiet.device, key), quiet.user.name).toEqual([]);
    } finally {
      socket.client.ws.close();
    }
    // DND off again: the next message reaches them.
    expect((await put(dnd.user, "/v1/users/me", { dnd_until: null })).json.dnd_until).toBeNull();
    await send(alice, group.id, "back?");
    expect((await awaitPushes(dnd.device, key, 1))[0]!.payload.body).toBe("back?");
  });

  it("a reply reaches the thread's participants in a room whose default is mentions", async () => {
    const alice = await newUser("Alice Thread");
    const bob = await subscribed("Bob Thread");
    const key = await vapidPublicKey(alice);
    const room = await createChannel(alice, { type: "room", name: "threads-push" });
    await call("POST", `/v1/channels/${room.id}/members`, { token: bob.user.token, body: { user_id: "me" } });
    const root = await send(bob.user, room.id, "question for everyone");
    const reply = await send(alice, room.id, { body: "an answer", parent_id: root.id });
    const [push] = await awaitPushes(bob.device, key, 1);
    expect(push!.payload).toMatchObject({ message_id: reply.id, body: "an answer" });
  });
});

describe("coalescing and delivery", () => {
  it("five quick messages make one or two pushes, the last one the latest message, under one Topic", async () => {
    const alice = await newUser("Alice Burst");
    const bob = await subscribed("Bob Burst");
    const key = await vapidPublicKey(alice);
    const dm = await createChannel(alice, { type: "dm", user_id: bob.user.id });
    const sent = [];
    for (let i = 1; i <= 5; i++) sent.push(await send(alice, dm.id, `burst ${i}`));
    await settled(dm.id);
    const first = await awaitPushes(bob.device, key, 1);
    expect(first[0]!.payload.message_id).toBe(sent[0]!.id);
    // The window (3 s in the tests, 30 s in production) ends: the latest message follows.
    const pushes = await awaitPushes(bob.device, key, 2, 15_000);
    await new Promise((r) => setTimeout(r, 4000));
    const all = await pushesTo(bob.device, key);
    expect(all.length).toBeLessThanOrEqual(2);
    expect(all.at(-1)!.payload.message_id).toBe(sent[4]!.id);
    expect(new Set(all.map((p) => p.received.headers.topic)).size).toBe(1);
    expect(pushes.length).toBe(2);
  });

  it("a 410 from the push service deletes the subscription", async () => {
    const alice = await newUser("Alice Gone");
    const bob = await newUser("Bob Gone");
    const device = await newDevice({ fail: 100, status: 410 });
    const sub = await subscribe(bob, device);
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    await send(alice, dm.id, "are you there?");
    await eventually(async () => ((await call("GET", "/v1/push/subscriptions", { token: bob.token })).json as { id: string }[]).every((s) => s.id !== sub.id));
  });

  it("503s are retried until the push service takes the push", async () => {
    const alice = await newUser("Alice Retry");
    const bob = await newUser("Bob Retry");
    const device = await newDevice({ fail: 2, status: 503 });
    await subscribe(bob, device);
    const key = await vapidPublicKey(bob);
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    const m = await send(alice, dm.id, "retry me");
    const got = await awaitPushes(device, key, 3);
    expect(got.map((p) => p.received.answered)).toEqual([503, 503, 200]);
    expect(got.every((p) => p.payload.message_id === m.id)).toBe(true);
  });
});

describe("push routes", () => {
  it("subscribing: 201, the same endpoint again moves it (200), listing, deleting", async () => {
    const alice = await newUser("Alice Sub");
    const bob = await newUser("Bob Sub");
    const device = await newDevice();
    const first = await subscribe(alice, device);
    const again = await call("POST", "/v1/push/subscriptions", { token: bob.token, body: device.json });
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(first.id);
    expect((await call("GET", "/v1/push/subscriptions", { token: alice.token })).json).toEqual([]);
    const mine = await call("GET", "/v1/push/subscriptions", { token: bob.token });
    expect(mine.json).toEqual([{ id: first.id, endpoint: device.json.endpoint, expiration_time: null, created_at: expect.any(Number) }]);
    expect((await call("DELETE", `/v1/push/subscriptions/${first.id}`, { token: alice.token })).status).toBe(404);
    expect((await call("DELETE", `/v1/push/subscriptions/${first.id}`, { token: bob.token })).status).toBe(204);
    expect((await call("DELETE", `/v1/push/subscriptions/${first.id}`, { token: bob.token })).status).toBe(404);
  });

  it("refuses private or plain-http endpoints and broken keys with 400, like webhook targets", async () => {
    const user = await newUser();
    const device = await newDevice();
    for (const endpoint of ["https://10.0.0.1/push", "http://push.example.com/x", "https://169.254.169.254/", "not a url", "https://user:pw@push.example.com/"]) {
      const res = await call("POST", "/v1/push/subscriptions", { token: user.token, body: { ...device.json, endpoint } });
      expect(res.status, endpoint).toBe(400);
      expect(res.json.error.code).toBe("VALIDATION_FAILED");
    }
    const badKeys = await call("POST", "/v1/push/subscriptions", { token: user.token, body: { ...device.json, keys: { p256dh: "AAAA", auth: device.json.keys.auth } } });
    expect(badKeys.status).toBe(400);
    const missing = await call("POST", "/v1/push/subscriptions", { token: user.token, body: { endpoint: device.json.endpoint } });
    expect(missing.status).toBe(400);
  });

  it("the public key route answers the key pushes are signed with", async () => {
    const user = await newUser();
    const res = await call("GET", "/v1/push/vapid-public-key", { token: user.token });
    expect(res.status).toBe(200);
    expect(res.json.public_key).toMatch(/^B[\w-]{86}$/);
  });

  it("levels and do-not-disturb validate their input (400) and show defaults", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    const hidden = await put(alice, `/v1/channels/${dm.id}/members/me`, { hidden: true });
    expect(hidden.json).toMatchObject({ hidden: true, notifications: "all", notifications_default: true });
    expect((await level(alice, dm.id, "loud")).status).toBe(400);
    expect((await put(alice, `/v1/channels/${dm.id}/members/me`, {})).status).toBe(400);
    expect((await level(alice, dm.id, null)).json).toMatchObject({ hidden: true, notifications_default: true });
    // Read back without changing anything: what a client's channel settings show.
    await level(alice, dm.id, "mentions");
    const mine = await call("GET", `/v1/channels/${dm.id}/members/me`, { token: alice.token });
    expect(mine.json).toMatchObject({ user_id: alice.id, hidden: true, notifications: "mentions", notifications_default: false });
    expect((await call("GET", `/v1/channels/${dm.id}/members/me`, { token: (await newUser()).token })).status).toBe(404);
    expect((await put(alice, "/v1/users/me", { dnd_until: "tomorrow" })).status).toBe(400);
    expect((await put(alice, "/v1/users/me", { dnd_until: new Date(Date.now() + 400 * 86400_000).toISOString() })).status).toBe(400);
    expect((await call("GET", "/v1/users/me", { token: alice.token })).json.dnd_until).toBeNull();
  });

  it("the hourly cron drops coalescing windows long over with nothing held, and keeps the others", async () => {
    const now = Date.now();
    const rows = [["old-empty", now - 2 * 3600_000, null], ["old-held", now - 2 * 3600_000, "{}"], ["open", now + 30_000, null]] as const;
    await env.DB.batch(rows.map(([user, until, pending]) => env.DB.prepare("INSERT INTO push_windows (user_id, channel_id, until, pending) VALUES (?, 'cron-test', ?, ?)").bind(user, until, pending)));
    await scheduled(createScheduledController(), env);
    const left = await env.DB.prepare("SELECT user_id FROM push_windows WHERE channel_id = 'cron-test' ORDER BY user_id").all();
    expect(left.results).toEqual([{ user_id: "old-held" }, { user_id: "open" }]);
  });

  it("a reminder that fires while its owner is offline is pushed to their browsers", async () => {
    const alice = await newUser("Alice");
    const chat = await createChannel(alice, { type: "group", name: "Rota" });
    const device = await newDevice();
    await subscribe(alice, device);
    const key = await vapidPublicKey(alice);
    const made = await call("POST", "/v1/reminders", { token: alice.token, body: { channel_id: chat.id, text: "call the plumber", remind_at: Math.floor(Date.now() / 1000) + 60 } });
    expect(made.status, made.text).toBe(201);
    // Due now: the hub's stored reminder moved into the past, then its alarm run (no socket is open).
    await runInDurableObject(hubOf(alice.id), (_hub, state) => void state.storage.sql.exec("UPDATE reminders SET due_at = ?", Date.now() - 1));
    await runDurableObjectAlarm(hubOf(alice.id));
    const [push] = await awaitPushes(device, key, 1);
    expect(push!.payload).toMatchObject({ type: "reminder", id: made.json.reminder.id, channel_id: chat.id, title: "Reminder", body: "call the plumber" });
  });
});
