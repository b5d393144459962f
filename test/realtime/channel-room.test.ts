import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ChannelRoom } from "../../src/realtime/channel-room";
import { addMember, call, createChannel, expectError, expectStatus, newUser, send } from "../helpers/api";
import { connect, openSocket } from "../helpers/ws";

async function room() {
  const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
  const group = await createChannel(alice, { type: "group", name: "Live", member_ids: [bob.id] });
  return { alice, bob, group, stub: env.CHANNEL_ROOM.getByName(group.id) };
}

describe("connecting", () => {
  it("sends ready first with the current seq", async () => {
    const { alice, group } = await room();
    const { ready } = await connect(group.id, { user: alice });
    expect(ready).toEqual({ type: "ready", channel_id: group.id, seq: 0, data: { seq: 0, user_id: alice.id } });
    await send(alice, group.id, "one");
    const again = await connect(group.id, { user: alice });
    expect(again.ready).toMatchObject({ seq: 1, data: { seq: 1 } });
  });

  it("refuses before the upgrade: no Upgrade, no auth, non-members", async () => {
    const { alice, group } = await room();
    expectError(await call("GET", `/v1/channels/${group.id}/ws`, { token: alice.token }), 426, "UPGRADE_REQUIRED");
    const anonymous = await openSocket(group.id);
    expect(anonymous.status).toBe(401);
    const outsider = await newUser();
    expect((await openSocket(group.id, { user: outsider })).status).toBe(404);
    const lobby = await createChannel(alice, { type: "room", name: "Lobby" });
    expect((await openSocket(lobby.id, { user: outsider })).status).toBe(403);
    expect((await openSocket(group.id, { user: alice, sinceSeq: -1 })).status).toBe(400);
  });

  it("accepts a 60 s ticket for browsers, only for its channel", async () => {
    const { alice, group } = await room();
    const res = await call("POST", `/v1/channels/${group.id}/ws-ticket`, { token: alice.token });
    expect(res.status).toBe(200);
    expect(res.json.expires_at - Date.now() / 1000).toBeLessThanOrEqual(60);
    const { ready } = await connect(group.id, { ticket: res.json.ticket });
    expect(ready.data.user_id).toBe(alice.id);
    const other = await createChannel(alice, { type: "group", name: "Other" });
    expect((await openSocket(other.id, { ticket: res.json.ticket })).status).toBe(401);
    expect((await openSocket(group.id, { ticket: res.json.ticket.slice(0, -2) + "xx" })).status).toBe(401);
    const outsider = await newUser();
    expectError(await call("POST", `/v1/channels/${group.id}/ws-ticket`, { token: outsider.token }), 404, "CHAT_CHANNEL_NOT_FOUND");
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
});

describe("events", () => {
  it("delivers every state change with consecutive seq; message data equals the REST object", async () => {
    const { alice, bob, group } = await room();
    const carol = await newUser("Carol");
    const { client } = await connect(group.id, { user: bob });
    const path = `/v1/channels/${group.id}`;

    const sent = await send(alice, group.id, "hello");
    const message = await client.expect("message");
    expect(message).toEqual({ type: "message", channel_id: group.id, seq: 1, data: sent });
    const listed = await call("GET", `${path}/messages`, { token: bob.token });
    expect(message.data).toEqual(listed.json.messages[0]);

    const edited = await call("PUT", `${path}/messages/${sent.id}`, { token: alice.token, body: { body: "hello!" } });
    expect(await client.expect("message_update")).toMatchObject({ seq: 2, data: edited.json });

    await call("POST", `${path}/messages/${sent.id}/reactions`, { token: bob.token, body: { emote_asset_id: "42" } });
    expect(await client.expect("reaction_add")).toMatchObject({ seq: 3, data: { message_id: sent.id, emote_asset_id: "42", user_id: bob.id } });
    await call("DELETE", `${path}/messages/${sent.id}/reactions/42`, { token: bob.token });
    expect(await client.expect("reaction_remove")).toMatchObject({ seq: 4, data: { message_id: sent.id, emote_asset_id: "42", user_id: bob.id } });

    await call("DELETE", `${path}/messages/${sent.id}`, { token: alice.token });
    const deleted = await client.expect("message_delete");
    expect(deleted).toMatchObject({ seq: 5, data: { id: sent.id, deleted: true, body: "" } });
    expect(deleted.data).toEqual((await call("GET", `${path}/messages`, { token: bob.token })).json.messages[0]);

    const added = await expectStatus(addMember(alice, group.id, carol.id), 201);
    expect(await client.expect("member_add")).toMatchObject({ seq: 6, data: added });
    const promoted = await call("PUT", `${path}/members/${carol.id}`, { token: alice.token, body: { role: "admin" } });
    expect(await client.expect("member_update")).toMatchObject({ seq: 7, data: promoted.json });
    const renamed = await call("PUT", path, { token: alice.token, body: { name: "Renamed" } });
    expect(await client.expect("channel_update")).toMatchObject({ seq: 8, data: renamed.json });
    await call("DELETE", `${path}/members/${carol.id}`, { token: alice.token });
    expect(await client.expect("member_remove")).toMatchObject({ seq: 9, data: { user_id: carol.id } });
    await client.expectSilence();
  });

  it("sends read events only to the reader's own sockets, without seq", async () => {
    const { alice, bob, group } = await room();
    const bobPhone = (await connect(group.id, { user: bob })).client;
    const bobLaptop = (await connect(group.id, { user: bob })).client;
    const aliceSocket = (await connect(group.id, { user: alice })).client;
    const m = await send(alice, group.id, "read me");
    for (const c of [bobPhone, bobLaptop, aliceSocket]) await c.expect("message");
    await call("POST", `/v1/channels/${group.id}/read`, { token: bob.token, body: { last_read_message_id: m.id } });
    for (const c of [bobPhone, bobLaptop]) {
      expect(await c.expect("read")).toMatchObject({ seq: null, data: { user_id: bob.id, last_read_message_id: m.id } });
    }
    await aliceSocket.expectSilence();
  });

  it("does not emit twice for an idempotent retry", async () => {
    const { alice, group } = await room();
    const { client } = await connect(group.id, { user: alice });
    const headers = { "idempotency-key": "ws-once" };
    await send(alice, group.id, "once", headers);
    await send(alice, group.id, "once", headers);
    expect((await client.expect("message")).seq).toBe(1);
    await client.expectSilence();
  });

  it("gives two subscribers the same gap-free order under concurrent senders", async () => {
    const { alice, bob, group } = await room();
    const carol = await newUser();
    await addMember(alice, group.id, carol.id);
    const subscribers = [(await connect(group.id, { user: bob })).client, (await connect(group.id, { user: carol })).client];
    const senders = [alice, bob, carol];
    const sent = await Promise.all(Array.from({ length: 30 }, (_, i) => send(senders[i % 3]!, group.id, `m${i}`)));
    const orders: string[][] = [];
    for (const sub of subscribers) {
      const frames = [];
      for (let i = 0; i < 30; i++) frames.push(await sub.expect("message"));
      expect(frames.map((f) => f.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 2)); // seq 1 was member_add
      orders.push(frames.map((f) => f.data.id));
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
    expect(await stale.client.expect("resync_required")).toMatchObject({ data: { seq: 1002, since_seq: 0 } });
    const recent = await connect(group.id, { user: bob, sinceSeq: 1001 });
    expect((await recent.client.expect("channel_update")).seq).toBe(1002);
    const ahead = await connect(group.id, { user: bob, sinceSeq: 5000 });
    await ahead.client.expect("resync_required");
  });

  it("drops events older than 24 h from replay", async () => {
    const { alice, bob, group, stub } = await room();
    await send(alice, group.id, "yesterday");
    await runInDurableObject(stub, (_room: ChannelRoom, state) => {
      state.storage.sql.exec("UPDATE events SET at = at - 86400001");
    });
    const { client } = await connect(group.id, { user: bob, sinceSeq: 0 });
    await client.expect("resync_required");
  });
});

describe("typing", () => {
  it("marks a user typing (REST and client frame), rate-limits events, and lists typers", async () => {
    const { alice, bob, group } = await room();
    const { client: watcher } = await connect(group.id, { user: bob });
    expect((await call("POST", `/v1/channels/${group.id}/typing`, { token: alice.token })).status).toBe(204);
    expect(await watcher.expect("typing")).toEqual({ type: "typing", channel_id: group.id, seq: null, data: { user_id: alice.id } });
    await call("POST", `/v1/channels/${group.id}/typing`, { token: alice.token });
    await watcher.expectSilence(); // within 3 s: no second event
    const { client: aliceSocket } = await connect(group.id, { user: alice });
    aliceSocket.send({ type: "typing" });
    await watcher.expectSilence();
    watcher.send({ type: "typing" });
    expect((await aliceSocket.expect("typing")).data.user_id).toBe(bob.id);
    const typing = await call("GET", `/v1/channels/${group.id}/typing`, { token: alice.token });
    expect(typing.json.typing_users.sort()).toEqual([alice.id, bob.id].sort());
  });

  it("expires after 8 s", async () => {
    const { alice, bob, group, stub } = await room();
    await call("POST", `/v1/channels/${group.id}/typing`, { token: alice.token });
    await runInDurableObject(stub, (_room: ChannelRoom, state) => {
      state.storage.sql.exec("UPDATE typing SET until = until - 8001, emitted_at = emitted_at - 8001");
    });
    expect((await call("GET", `/v1/channels/${group.id}/typing`, { token: bob.token })).json).toEqual({ typing_users: [] });
    const outsider = await newUser();
    expectError(await call("POST", `/v1/channels/${group.id}/typing`, { token: outsider.token }), 404, "CHAT_CHANNEL_NOT_FOUND");
  });
});

describe("membership and lifecycle", () => {
  it("closes a removed member's sockets with 4003, after they see member_remove", async () => {
    const { alice, bob, group } = await room();
    const { client } = await connect(group.id, { user: bob });
    const { client: aliceSocket } = await connect(group.id, { user: alice });
    await call("DELETE", `/v1/channels/${group.id}/members/${bob.id}`, { token: alice.token });
    expect((await client.expect("member_remove")).data.user_id).toBe(bob.id);
    expect((await client.closed).code).toBe(4003);
    expect((await aliceSocket.expect("member_remove")).data.user_id).toBe(bob.id);
    expect((await openSocket(group.id, { user: bob })).status).toBe(404);
  });

  it("closes every socket with 4004 when the channel is deleted", async () => {
    const { alice, bob, group } = await room();
    const sockets = [(await connect(group.id, { user: alice })).client, (await connect(group.id, { user: bob })).client];
    await call("DELETE", `/v1/channels/${group.id}`, { token: alice.token });
    for (const s of sockets) {
      expect((await s.expect("channel_delete")).data).toEqual({ id: group.id });
      expect((await s.closed).code).toBe(4004);
    }
  });

  it("survives eviction: sockets, seq and typing state are still there when it wakes", async () => {
    const { alice, bob, group, stub } = await room();
    const { client } = await connect(group.id, { user: bob });
    await send(alice, group.id, "before");
    expect((await client.expect("message")).seq).toBe(1);
    await call("POST", `/v1/channels/${group.id}/typing`, { token: alice.token });
    await client.expect("typing");

    await evictDurableObject(stub);

    expect((await call("GET", `/v1/channels/${group.id}/typing`, { token: bob.token })).json).toEqual({ typing_users: [alice.id] });
    await send(alice, group.id, "after");
    const after = await client.expect("message");
    expect(after).toMatchObject({ seq: 2, data: { body: "after" } });
    client.send("ping");
    expect(await client.nextText()).toBe("pong");
    client.send({ type: "typing" });
    expect((await connect(group.id, { user: alice, sinceSeq: 1 })).client).toBeDefined();
  });

  it("keeps the REST write when the real-time fan-out fails", async () => {
    const { alice, group, stub } = await room();
    await runInDurableObject(stub, (_room: ChannelRoom, state) => {
      state.storage.sql.exec("DROP TABLE events");
    });
    const res = await call("POST", `/v1/channels/${group.id}/messages`, { token: alice.token, body: { body: "still saved" } });
    expect(res.status).toBe(201);
    const listed = await call("GET", `/v1/channels/${group.id}/messages`, { token: alice.token });
    expect(listed.json.messages.map((m: { body: string }) => m.body)).toEqual(["still saved"]);
  });
});

describe("typing needs the right to post", () => {
  it("ignores typing from plain members of broadcast channels (REST 403, socket error frame)", async () => {
    const [owner, reader] = [await newUser(), await newUser()];
    const news = await createChannel(owner, { type: "group", name: "News", broadcast: true, member_ids: [reader.id] });
    const { client: ownerSocket } = await connect(news.id, { user: owner });
    const { client: readerSocket } = await connect(news.id, { user: reader });
    expectError(await call("POST", `/v1/channels/${news.id}/typing`, { token: reader.token }), 403, "CHAT_BROADCAST_ONLY");
    readerSocket.send({ type: "typing" });
    expect((await readerSocket.expect("error")).data.code).toBe("CHAT_BROADCAST_ONLY");
    await ownerSocket.expectSilence();
    ownerSocket.send({ type: "typing" });
    expect((await readerSocket.expect("typing")).data.user_id).toBe(owner.id);
  });
});
