import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { TYPING_EVENT_INTERVAL_MS, TYPING_MS, type ChannelRoom } from "../../src/room/channel-room";
import { type TestUser, addMember, createChannel, expectError, expectStatus, newUser, send } from "../helpers/api";
import { api } from "../helpers/client";
import { freezeClock } from "../helpers/clock";
import { connect, openSocket } from "../helpers/ws";

async function room() {
  const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
  const group = await createChannel(alice, { type: "group", name: "Live", member_ids: [bob.id] });
  return { alice, bob, group, stub: env.CHANNEL_ROOM.getByName(group.id) };
}

const channel = (user: TestUser, channelID: string) => api(user.token).v1.channels[":channelID"];
const typing = (user: TestUser, channelID: string) => channel(user, channelID).typing.$post({ param: { channelID } });
const typers = async (user: TestUser, channelID: string) => (await expectStatus(channel(user, channelID).typing.$get({ param: { channelID } }), 200)).typing_users;
const messagesOf = async (user: TestUser, channelID: string) =>
  (await expectStatus(channel(user, channelID).messages.$get({ param: { channelID }, query: {} }), 200)).messages;

describe("connecting", () => {
  it("sends ready first with the current seq", async () => {
    const { alice, group } = await room();
    const { ready } = await connect(group.id, { user: alice });
    expect(ready).toEqual({ type: "ready", channel_id: group.id, seq: 0, data: { seq: 0, epoch: expect.any(Number), user_id: alice.id, online_user_ids: [alice.id] } });
    await send(alice, group.id, "one");
    const again = await connect(group.id, { user: alice });
    expect(again.ready).toMatchObject({ seq: 1, data: { seq: 1 } });
  });

  it("refuses before the upgrade: no Upgrade, no auth, non-members", async () => {
    const { alice, group } = await room();
    await expectError(channel(alice, group.id).ws.$get({ param: { channelID: group.id }, query: {} }), 426, "UPGRADE_REQUIRED");
    await expectError(openSocket(group.id), 401, "AUTH_REQUIRED");
    const outsider = await newUser();
    await expectError(openSocket(group.id, { user: outsider }), 404, "CHAT_CHANNEL_NOT_FOUND");
    const lobby = await createChannel(alice, { type: "room", name: "Lobby" });
    await expectError(openSocket(lobby.id, { user: outsider }), 403, "CHAT_NOT_MEMBER");
    await expectError(openSocket(group.id, { user: alice, sinceSeq: -1 }), 400, "VALIDATION_FAILED");
  });

  it("accepts a 60 s ticket for browsers, only for its channel", async () => {
    const { alice, group } = await room();
    const t0 = Date.now();
    const { ticket, expires_at } = await expectStatus(channel(alice, group.id)["ws-ticket"].$post({ param: { channelID: group.id } }), 200);
    // Valid for 60 s from the request, whatever the time it took.
    expect(expires_at).toBeGreaterThanOrEqual(Math.floor(t0 / 1000) + 60);
    expect(expires_at).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 60);
    const { ready } = await connect(group.id, { ticket });
    expect(ready.data.user_id).toBe(alice.id);
    const other = await createChannel(alice, { type: "group", name: "Other" });
    await expectError(openSocket(other.id, { ticket }), 401, "AUTH_INVALID_TOKEN");
    await expectError(openSocket(group.id, { ticket: ticket.slice(0, -2) + "xx" }), 401, "AUTH_INVALID_TOKEN");
    const outsider = await newUser();
    await expectError(channel(outsider, group.id)["ws-ticket"].$post({ param: { channelID: group.id } }), 404, "CHAT_CHANNEL_NOT_FOUND");
  });

  it("answers a text ping with pong, and an error frame for anything unknown without closing", async () => {
    const { alice, group } = await room();
    const { client } = await connect(group.id, { user: alice });
    client.send("ping");
    expect(await client.nextText()).toBe("pong");
    for (const bad of ["not json", { type: "shout" }, { nope: 1 }, [1, 2]]) {
      client.send(bad);
      const error = await client.expect("error");
      expect(error.data.code).toBe("INVALID_FRAME");
    }
    client.send("ping");
    expect(await client.nextText()).toBe("pong");
  });

  it("has a silence check that fails when a frame came first", async () => {
    const { alice, bob, group } = await room();
    const { client } = await connect(group.id, { user: bob });
    await send(alice, group.id, "not silent");
    await expect(client.expectSilence()).rejects.toThrow(/expected no frame before the pong, got .*"type":"message"/);
    expect(await client.nextText()).toBe("pong");
    await client.expectSilence();
  });
});

describe("events", () => {
  it("delivers every state change with consecutive seq; message data equals the REST object", async () => {
    const { alice, bob, group } = await room();
    const carol = await newUser("Carol");
    const { client } = await connect(group.id, { user: bob });
    const c = channel(alice, group.id);
    const param = { channelID: group.id };

    const sent = await send(alice, group.id, "hello");
    const message = await client.expect("message");
    expect(message).toEqual({ type: "message", channel_id: group.id, seq: 1, data: sent });
    expect(message.data).toEqual((await messagesOf(bob, group.id))[0]);

    const msg = { ...param, messageID: sent.id };
    const edited = await expectStatus(c.messages[":messageID"].$put({ param: msg, json: { body: "hello!" } }), 200);
    expect(await client.expect("message_update")).toMatchObject({ seq: 2, data: edited });

    const reactions = channel(bob, group.id).messages[":messageID"].reactions;
    await expectStatus(reactions.$post({ param: msg, json: { emote_asset_id: "42" } }), 201);
    expect(await client.expect("reaction_add")).toMatchObject({ seq: 3, data: { message_id: sent.id, emote_asset_id: "42", user_id: bob.id } });
    await expectStatus(reactions[":emoteID"].$delete({ param: { ...msg, emoteID: "42" } }), 204);
    expect(await client.expect("reaction_remove")).toMatchObject({ seq: 4, data: { message_id: sent.id, emote_asset_id: "42", user_id: bob.id } });

    await expectStatus(c.messages[":messageID"].$delete({ param: msg }), 204);
    const deleted = await client.expect("message_delete");
    expect(deleted).toMatchObject({ seq: 5, data: { id: sent.id, deleted: true, body: "" } });
    expect(deleted.data).toEqual((await messagesOf(bob, group.id))[0]);

    const added = await expectStatus(addMember(alice, group.id, carol.id), 201);
    expect(await client.expect("member_add")).toMatchObject({ seq: 6, data: added });
    const promoted = await expectStatus(c.members[":userID"].$put({ param: { ...param, userID: carol.id }, json: { role: "admin" } }), 200);
    expect(await client.expect("member_update")).toMatchObject({ seq: 7, data: promoted });
    const renamed = await expectStatus(c.$put({ param, json: { name: "Renamed" } }), 200);
    // The event is the channel everyone sees: without the caller's own `muted_until`.
    const { muted_until: _mine, ...shared } = renamed;
    const update = await client.expect("channel_update");
    expect(update).toMatchObject({ seq: 8, data: shared });
    expect(update.data).not.toHaveProperty("muted_until");
    await expectStatus(c.members[":userID"].$delete({ param: { ...param, userID: carol.id } }), 204);
    expect(await client.expect("member_remove")).toMatchObject({ seq: 9, data: { user_id: carol.id } });
    await client.expectSilence();
  });

  it("sends a room's read events only to the reader's own sockets, without seq", async () => {
    // (In groups and DMs every member hears them: read receipts, test/features/receipts.test.ts.)
    const { alice, bob } = await room();
    const group = await createChannel(alice, { type: "room", name: "Public" });
    await expectStatus(channel(bob, group.id).members.$post({ param: { channelID: group.id }, json: { user_id: bob.id } }), 201);
    const bobPhone = (await connect(group.id, { user: bob })).client;
    const bobLaptop = (await connect(group.id, { user: bob })).client;
    const aliceSocket = (await connect(group.id, { user: alice })).client;
    const m = await send(alice, group.id, "read me");
    for (const c of [bobPhone, bobLaptop, aliceSocket]) await c.expect("message");
    await expectStatus(channel(bob, group.id).read.$post({ param: { channelID: group.id }, json: { last_read_message_id: m.id } }), 200);
    for (const c of [bobPhone, bobLaptop]) {
      expect(await c.expect("read")).toMatchObject({ seq: null, data: { user_id: bob.id, last_read_message_id: m.id } });
    }
    await aliceSocket.expectSilence();
  });

  it("does not emit twice for an idempotent retry", async () => {
    const { alice, group } = await room();
    const { client } = await connect(group.id, { user: alice });
    const header = { "idempotency-key": "ws-once" };
    await send(alice, group.id, "once", header);
    await send(alice, group.id, "once", header);
    expect((await client.expect("message")).seq).toBe(1);
    await client.expectSilence();
  });

  it("gives two subscribers the same gap-free order under concurrent senders", async () => {
    const { alice, bob, group } = await room();
    const carol = await newUser();
    await expectStatus(addMember(alice, group.id, carol.id), 201);
    const subscribers = [(await connect(group.id, { user: bob })).client, (await connect(group.id, { user: carol })).client];
    const senders = [alice, bob, carol];
    const sent = await Promise.all(Array.from({ length: 30 }, (_, i) => send(senders[i % 3]!, group.id, `m${i}`)));
    const orders: string[][] = [];
    for (const sub of subscribers) {
      const frames = [];
      for (let i = 0; i < 30; i++) frames.push(await sub.expect("message"));
      expect(frames.map((f) => f.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 2)); // seq 1 was member_add
      orders.push(frames.map((f) => f.data.id));
      await sub.expectSilence();
    }
    expect(orders[0]).toEqual(orders[1]);
    expect([...orders[0]!].sort()).toEqual(sent.map((m) => m.id).sort());
  });
});

describe("replay", () => {
  it("replays exactly the missed events after since_seq, then continues live", async () => {
    const { alice, bob, group } = await room();
    const first = await connect(group.id, { user: bob });
    await send(alice, group.id, "a");
    const seen = await first.client.expect("message");
    first.client.ws.close(1000, "bye");
    const missed = [await send(alice, group.id, "b"), await send(alice, group.id, "c")];
    const { client, ready } = await connect(group.id, { user: bob, sinceSeq: seen.seq! });
    expect(ready.data.seq).toBe(3);
    expect((await client.expect("message")).data.id).toBe(missed[0]!.id);
    expect((await client.expect("message")).seq).toBe(3);
    await client.expectSilence();
    await send(alice, group.id, "d");
    expect((await client.expect("message")).seq).toBe(4);
    const upToDate = await connect(group.id, { user: bob, sinceSeq: 4 });
    await upToDate.client.expectSilence();
  });

  it("asks for a resync when the gap is older than the last 1000 events, or since_seq is ahead", async () => {
    const { alice, bob, group, stub } = await room();
    await send(alice, group.id, "first");
    for (let i = 0; i < 1001; i++) await stub.publish(group.id, "channel_update", { i });
    const stale = await connect(group.id, { user: bob, sinceSeq: 0 });
    expect(await stale.client.expect("resync_required")).toMatchObject({ seq: null, data: { seq: 1002, since_seq: 0 } });
    await stale.client.expectSilence();
    const recent = await connect(group.id, { user: bob, sinceSeq: 1001 });
    expect(await recent.client.expect("channel_update")).toMatchObject({ seq: 1002, data: { i: 1000 } });
    await recent.client.expectSilence();
    const ahead = await connect(group.id, { user: bob, sinceSeq: 5000 });
    expect(await ahead.client.expect("resync_required")).toMatchObject({ seq: null, data: { seq: 1002, since_seq: 5000 } });
    await ahead.client.expectSilence();
  });

  it("drops events older than 24 h from replay", async () => {
    const { alice, bob, group, stub } = await room();
    await send(alice, group.id, "yesterday");
    await runInDurableObject(stub, (_room: ChannelRoom, state) => {
      state.storage.sql.exec("UPDATE events SET at = at - 86400001");
    });
    const { client } = await connect(group.id, { user: bob, sinceSeq: 0 });
    expect(await client.expect("resync_required")).toMatchObject({ data: { seq: 1, since_seq: 0 } });
    await client.expectSilence();
  });
});

// Typing rules are about time (one event per user per 3 s, typing for 8 s): these tests freeze the
// clock the room reads and move it themselves, so they check the exact boundaries and do not
// depend on how fast the machine runs them.
describe("typing", () => {
  it("marks a user typing (REST and client frame), rate-limits events, and lists typers", async () => {
    const clock = freezeClock();
    const { alice, bob, group } = await room();
    const { client: watcher } = await connect(group.id, { user: bob });
    await expectStatus(typing(alice, group.id), 204);
    expect(await watcher.expect("typing")).toEqual({ type: "typing", channel_id: group.id, seq: null, data: { user_id: alice.id } });
    clock.advance(TYPING_EVENT_INTERVAL_MS - 1);
    await expectStatus(typing(alice, group.id), 204);
    await watcher.expectSilence(); // within 3 s: no second event
    clock.advance(1);
    await expectStatus(typing(alice, group.id), 204);
    expect((await watcher.expect("typing")).data.user_id).toBe(alice.id); // 3 s later: the next one
    const { client: aliceSocket } = await connect(group.id, { user: alice });
    aliceSocket.send({ type: "typing" });
    await aliceSocket.handled();
    await watcher.expectSilence(); // the client frame follows the same rule
    watcher.send({ type: "typing" });
    expect((await aliceSocket.expect("typing")).data.user_id).toBe(bob.id);
    await watcher.handled(); // Bob's own typing is not echoed back to him
    await watcher.expectSilence();
    expect((await typers(alice, group.id)).sort()).toEqual([alice.id, bob.id].sort());
  });

  it("expires after 8 s", async () => {
    const clock = freezeClock();
    const { alice, bob, group } = await room();
    await expectStatus(typing(alice, group.id), 204);
    clock.advance(TYPING_MS - 1);
    // The seed's ids, and names for "Alice is typing…".
    expect(await expectStatus(channel(bob, group.id).typing.$get({ param: { channelID: group.id } }), 200)).toEqual({
      typing_users: [alice.id],
      users: [{ user_id: alice.id, display_name: alice.name }],
    });
    clock.advance(1);
    expect(await expectStatus(channel(bob, group.id).typing.$get({ param: { channelID: group.id } }), 200)).toEqual({ typing_users: [], users: [] });
    const outsider = await newUser();
    await expectError(typing(outsider, group.id), 404, "CHAT_CHANNEL_NOT_FOUND");
  });
});

describe("membership and lifecycle", () => {
  it("closes a removed member's sockets with 4003, after they see member_remove", async () => {
    const { alice, bob, group } = await room();
    const { client } = await connect(group.id, { user: bob });
    const { client: aliceSocket } = await connect(group.id, { user: alice });
    await expectStatus(channel(alice, group.id).members[":userID"].$delete({ param: { channelID: group.id, userID: bob.id } }), 204);
    expect((await client.expect("member_remove")).data.user_id).toBe(bob.id);
    expect((await client.closed).code).toBe(4003);
    expect((await aliceSocket.expect("member_remove")).data.user_id).toBe(bob.id);
    await expectError(openSocket(group.id, { user: bob }), 404, "CHAT_CHANNEL_NOT_FOUND");
  });

  it("closes every socket with 4004 when the channel is deleted", async () => {
    const { alice, bob, group } = await room();
    const sockets = [(await connect(group.id, { user: alice })).client, (await connect(group.id, { user: bob })).client];
    await expectStatus(channel(alice, group.id).$delete({ param: { channelID: group.id } }), 204);
    for (const s of sockets) {
      expect((await s.expect("channel_delete")).data).toEqual({ id: group.id });
      expect((await s.closed).code).toBe(4004);
    }
  });

  it("survives eviction: sockets and seq are still there when it wakes; typing (8 s, in memory) starts over", async () => {
    freezeClock(); // typing lasts 8 s: however long eviction takes, it is still "now" afterwards
    const { alice, bob, group, stub } = await room();
    const { client } = await connect(group.id, { user: bob });
    await send(alice, group.id, "before");
    expect((await client.expect("message")).seq).toBe(1);
    await expectStatus(typing(alice, group.id), 204);
    await client.expect("typing");

    await evictDurableObject(stub);

    expect(await typers(bob, group.id)).toEqual([]); // forgotten: typing is per-event work kept in memory
    const after = await send(alice, group.id, "after");
    expect(await client.expect("message")).toMatchObject({ seq: 2, data: { body: "after" } });
    client.send("ping");
    expect(await client.nextText()).toBe("pong");
    const resumed = await connect(group.id, { user: alice, sinceSeq: 1 });
    expect(resumed.ready.seq).toBe(2);
    expect(await resumed.client.expect("message")).toEqual({ type: "message", channel_id: group.id, seq: 2, data: after });
    // The socket's serialized state survived too: the room still knows whose socket it is.
    client.send({ type: "typing" });
    expect(await resumed.client.expect("typing")).toMatchObject({ seq: null, data: { user_id: bob.id } });
    expect(await typers(alice, group.id)).toEqual([bob.id]);
  });

});

describe("typing needs the right to post", () => {
  it("ignores typing from plain members of broadcast channels (REST 403, socket error frame)", async () => {
    const [owner, reader] = [await newUser(), await newUser()];
    const news = await createChannel(owner, { type: "group", name: "News", broadcast: true, member_ids: [reader.id] });
    const { client: ownerSocket } = await connect(news.id, { user: owner });
    const { client: readerSocket } = await connect(news.id, { user: reader });
    await expectError(typing(reader, news.id), 403, "CHAT_BROADCAST_ONLY");
    readerSocket.send({ type: "typing" });
    expect((await readerSocket.expect("error")).data.code).toBe("CHAT_BROADCAST_ONLY");
    await ownerSocket.expectSilence();
    expect(await typers(owner, news.id)).toEqual([]);
    ownerSocket.send({ type: "typing" });
    expect((await readerSocket.expect("typing")).data.user_id).toBe(owner.id);
  });
});
