import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { HUB_OPEN } from "../../src/realtime/sockets.queries";
import type { UserHub } from "../../src/realtime/user-hub";
import { type TestUser, addMember, createChannel, expectError, expectStatus, newUser, send, settled } from "../helpers/api";
import { api } from "../helpers/client";
import { connect, openSocket } from "../helpers/ws";
import { connectUser, hubOf, openUserSocket, waitForRow } from "../helpers/user-socket";

const channel = (user: TestUser, channelID: string) => api(user.token).v1.channels[":channelID"];
const shardName = async (id: string) => (await env.DB.prepare("SELECT shard FROM channels WHERE id = ?").bind(id).first<{ shard: string }>())!.shard;

/** Two groups of `owner` with `member`, on different history shards. */
async function groupsOnBothShards(owner: TestUser, member: TestUser) {
  const first = await createChannel(owner, { type: "group", name: "One", member_ids: [member.id] });
  for (let i = 0; i < 10; i++) {
    const other = await createChannel(owner, { type: "group", name: `Two ${i}`, member_ids: [member.id] });
    if ((await shardName(other.id)) !== (await shardName(first.id))) return [first, other] as const;
  }
  throw new Error("no second shard");
}

describe("the user socket", () => {
  it("starts with ready, then notifies every new message of every channel, on both shards, the sender too", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const [one, two] = await groupsOnBothShards(alice, bob);
    const { client: bobSocket, ready } = await connectUser({ user: bob });
    expect(ready).toEqual({ type: "ready", seq: null, data: { user_id: bob.id, seq: 0 } });
    const { client: aliceSocket } = await connectUser({ user: alice });

    const m1 = await send(alice, one.id, "in one");
    const m2 = await send(alice, two.id, "in two");
    const first = await bobSocket.expect("notify");
    expect(first).toEqual({
      type: "notify",
      seq: 1,
      data: { channel_id: one.id, message_id: m1.id, parent_id: null, sender_id: alice.id, created_at: m1.created_at, mentions_me: false },
    });
    expect(await bobSocket.expect("notify")).toMatchObject({ seq: 2, data: { channel_id: two.id, message_id: m2.id } });
    await bobSocket.expectSilence();
    // The sender's own hub: their other devices learn of it too.
    expect((await aliceSocket.expect("notify")).data.message_id).toBe(m1.id);
    expect((await aliceSocket.expect("notify")).data.message_id).toBe(m2.id);
  });

  it("refuses without credentials (401), without Upgrade (426), and with a channel's ticket", async () => {
    const alice = await newUser();
    await expectError(openUserSocket(), 401, "AUTH_REQUIRED");
    await expectError(api(alice.token).v1.ws.$get({ query: {} }), 426, "UPGRADE_REQUIRED");
    await expectError(openUserSocket({ user: alice, sinceSeq: -1 }), 400, "VALIDATION_FAILED");
    const group = await createChannel(alice, { type: "group", name: "G" });
    const { ticket } = await expectStatus(channel(alice, group.id)["ws-ticket"].$post({ param: { channelID: group.id } }), 200);
    await expectError(openUserSocket({ ticket }), 401, "AUTH_INVALID_TOKEN");
  });

  it("accepts a 60 s ticket from POST /v1/ws-ticket, good only for the user socket", async () => {
    const alice = await newUser();
    const { ticket, expires_at } = await expectStatus(api(alice.token).v1["ws-ticket"].$post(), 200);
    expect(expires_at).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 60);
    const { ready } = await connectUser({ ticket });
    expect(ready.data.user_id).toBe(alice.id);
    const group = await createChannel(alice, { type: "group", name: "G" });
    await expectError(openSocket(group.id, { ticket }), 401, "AUTH_INVALID_TOKEN");
    await expectError(openUserSocket({ ticket: ticket.slice(0, -2) + "xx" }), 401, "AUTH_INVALID_TOKEN");
  });

  it("sends channel_add when added to a group, when a group is created with you, and when a DM is opened with you", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const { client } = await connectUser({ user: bob });
    const group = await createChannel(alice, { type: "group", name: "Later" });
    await expectStatus(addMember(alice, group.id, bob.id), 201);
    expect(await client.expect("channel_add")).toMatchObject({ seq: 1, data: { id: group.id, name: "Later", type: "group" } });
    const created = await createChannel(alice, { type: "group", name: "With Bob", member_ids: [bob.id] });
    expect(await client.expect("channel_add")).toMatchObject({ seq: 2, data: { id: created.id, name: "With Bob" } });
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    // Bob's view of the DM: the other user is Alice.
    expect(await client.expect("channel_add")).toMatchObject({ seq: 3, data: { id: dm.id, type: "dm", other_user_id: alice.id, other_user_name: "Alice" } });
    await createChannel(alice, { type: "dm", user_id: bob.id }); // reopening: not new
    await client.expectSilence();
  });

  it("sends channel_remove on removal, on leaving and on deletion; channel_update on rename", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const [g1, g2, g3] = [
      await createChannel(alice, { type: "group", name: "Removed", member_ids: [bob.id] }),
      await createChannel(alice, { type: "group", name: "Left", member_ids: [bob.id] }),
      await createChannel(alice, { type: "group", name: "Deleted", member_ids: [bob.id] }),
    ];
    const { client } = await connectUser({ user: bob });
    await expectStatus(channel(alice, g3.id).$put({ param: { channelID: g3.id }, json: { name: "Renamed" } }), 200);
    expect(await client.expect("channel_update")).toMatchObject({ seq: 1, data: { id: g3.id, name: "Renamed" } });
    await expectStatus(channel(alice, g1.id).members[":userID"].$delete({ param: { channelID: g1.id, userID: bob.id } }), 204);
    expect(await client.expect("channel_remove")).toEqual({ type: "channel_remove", seq: 2, data: { channel_id: g1.id } });
    await expectStatus(channel(bob, g2.id).members[":userID"].$delete({ param: { channelID: g2.id, userID: "me" } }), 204);
    expect(await client.expect("channel_remove")).toEqual({ type: "channel_remove", seq: 3, data: { channel_id: g2.id } });
    await expectStatus(channel(alice, g3.id).$delete({ param: { channelID: g3.id } }), 204);
    expect(await client.expect("channel_remove")).toEqual({ type: "channel_remove", seq: 4, data: { channel_id: g3.id } });
    await client.expectSilence();
  });
});

describe("replay", () => {
  it("keeps seq gap-free across sockets and replays what came after since_seq", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const group = await createChannel(alice, { type: "group", name: "G", member_ids: [bob.id] });
    const first = await connectUser({ user: bob });
    await send(alice, group.id, "1");
    await send(alice, group.id, "2");
    expect((await first.client.expect("notify")).seq).toBe(1);
    expect((await first.client.expect("notify")).seq).toBe(2);
    first.client.ws.close(1000);
    await waitForRow(bob.id, (row) => row !== undefined && row.hub_active_until < HUB_OPEN);
    // Closed, but within the 2-minute window: the hub is still called.
    const m3 = await send(alice, group.id, "3");
    const m4 = await send(alice, group.id, "4");
    const again = await connectUser({ user: bob, sinceSeq: 2 });
    expect(again.ready.data.seq).toBe(4);
    expect(await again.client.expect("notify")).toMatchObject({ seq: 3, data: { message_id: m3.id } });
    expect(await again.client.expect("notify")).toMatchObject({ seq: 4, data: { message_id: m4.id } });
    await again.client.expectSilence();
    const upToDate = await connectUser({ user: bob, sinceSeq: 4 });
    await upToDate.client.expectSilence();
  });

  it("asks for a resync past the last 1000 frames, ahead of the hub, or after the 2-minute window", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const group = await createChannel(alice, { type: "group", name: "G", member_ids: [bob.id] });
    const hub = hubOf(bob.id);
    const held = await connectUser({ user: bob });
    for (let i = 0; i < 1001; i++) await hub.deliver(bob.id, "channel_update", { id: group.id, i }, `e${i}`);
    const stale = await connectUser({ user: bob, sinceSeq: 0 });
    expect(await stale.client.expect("resync_required")).toEqual({ type: "resync_required", seq: null, data: { seq: 1001, since_seq: 0 } });
    await stale.client.expectSilence();
    const recent = await connectUser({ user: bob, sinceSeq: 1000 });
    expect(await recent.client.expect("channel_update")).toMatchObject({ seq: 1001, data: { i: 1000 } });
    const ahead = await connectUser({ user: bob, sinceSeq: 5000 });
    expect((await ahead.client.expect("resync_required")).data).toEqual({ seq: 1001, since_seq: 5000 });

    // Every socket closed, then the window passes: senders skip the hub, so its log has holes.
    for (const c of [held, stale, recent, ahead]) c.client.ws.close(1000);
    await waitForRow(bob.id, (row) => row !== undefined && row.hub_active_until < HUB_OPEN);
    await env.DB.prepare("UPDATE user_sockets SET hub_active_until = ? WHERE user_id = ?").bind(Date.now() - 1, bob.id).run();
    await send(alice, group.id, "missed");
    expect((await hub.stats()).seq).toBe(1001);
    const late = await connectUser({ user: bob, sinceSeq: 1001 });
    expect((await late.client.expect("resync_required")).data).toEqual({ seq: 1001, since_seq: 1001 });
  });

  it("stores a retried delivery once (event ids)", async () => {
    const bob = await newUser();
    const { client } = await connectUser({ user: bob });
    const hub = hubOf(bob.id);
    expect(await hub.deliver(bob.id, "channel_remove", { channel_id: "1" }, "same")).toBe(1);
    expect(await hub.deliver(bob.id, "channel_remove", { channel_id: "1" }, "same")).toBe(1);
    expect((await client.expect("channel_remove")).seq).toBe(1);
    await client.expectSilence();
    await runInDurableObject(hub, (_hub: UserHub, state) => {
      expect(state.storage.sql.exec("SELECT count(*) AS n FROM frames").one().n).toBe(1);
    });
  });
});

describe("delivery", () => {
  it("hands notifies to the queue when the hub stays down: every message once, seq gap-free", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const group = await createChannel(alice, { type: "group", name: "G", member_ids: [bob.id] });
    const { client } = await connectUser({ user: bob });
    await hubOf(bob.id).failNextCalls(12); // four attempts per call within the request: all three queued
    const sent = [await send(alice, group.id, "a"), await send(alice, group.id, "b"), await send(alice, group.id, "c")];
    const got = [await client.expect("notify", 30_000), await client.expect("notify", 30_000), await client.expect("notify", 30_000)];
    expect(got.map((f) => f.seq)).toEqual([1, 2, 3]);
    expect(got.map((f) => f.data.message_id).sort()).toEqual(sent.map((m) => m.id).sort());
    await send(alice, group.id, "after");
    expect((await client.expect("notify", 30_000)).seq).toBe(4);
    await client.expectSilence();
  });

  it("reaches members past the request's 50 direct calls through the queue, each once", async () => {
    const sender = await newUser();
    const members = await Promise.all(Array.from({ length: 60 }, () => newUser()));
    const group = await createChannel(sender, { type: "group", name: "Many", member_ids: members.map((m) => m.id) });
    const sockets = await Promise.all(members.map((user) => connectUser({ user })));
    const message = await send(sender, group.id, "to sixty");
    for (const { client } of sockets) {
      expect(await client.expect("notify", 30_000)).toMatchObject({ seq: 1, data: { message_id: message.id } });
    }
    await Promise.all(sockets.map(({ client }) => client.expectSilence()));
  });

  it("sets mentions_me per member, for a thread reply with a mention sent over the channel socket", async () => {
    const [alice, bob, carol] = [await newUser("Alice"), await newUser("Bob"), await newUser("Carol")];
    const group = await createChannel(alice, { type: "group", name: "G", member_ids: [bob.id, carol.id] });
    const root = await send(alice, group.id, "root");
    const [bobSocket, carolSocket] = [await connectUser({ user: bob }), await connectUser({ user: carol })];
    // DESIGN 14: a socket send takes parent_id and mentioned_user_ids as REST does.
    const { client: aliceChannel } = await connect(group.id, { user: alice });
    aliceChannel.send({ type: "send", client_msg_id: "reply-1", body: "@Bob look", parent_id: root.id, mentioned_user_ids: [bob.id, "stranger"] });
    const reply = (await aliceChannel.expect("message")).data as { id: string; parent_id: string; mentioned_user_ids: string[]; created_at: number };
    expect(reply).toMatchObject({ parent_id: root.id, mentioned_user_ids: [bob.id] });
    expect(await aliceChannel.expect("message_update")).toMatchObject({ data: { id: root.id, reply_count: 1 } });
    expect(await aliceChannel.expect("ack")).toMatchObject({ client_msg_id: "reply-1", data: { id: reply.id } });
    expect((await bobSocket.client.expect("notify")).data).toEqual({
      channel_id: group.id,
      message_id: reply.id,
      parent_id: root.id,
      sender_id: alice.id,
      created_at: reply.created_at,
      mentions_me: true,
    });
    expect((await carolSocket.client.expect("notify")).data).toMatchObject({ message_id: reply.id, mentions_me: false });
    // The reply is in Bob's mentions feed once flushed (a notify does not wait for the flush, DESIGN §6).
    await settled(group.id);
    const feed = await expectStatus(api(bob.token).v1.users.me.mentions.$get({ query: {} }), 200);
    expect(feed.messages.map((m) => m.id)).toEqual([reply.id]);
  });
});

describe("cost", () => {
  it("calls only the hubs of connected members: not one closed 3 minutes ago, not one never connected", async () => {
    const [sender, connected, lapsed, never] = [await newUser(), await newUser(), await newUser(), await newUser()];
    const group = await createChannel(sender, { type: "group", name: "Cost", member_ids: [connected.id, lapsed.id, never.id] });
    const { client } = await connectUser({ user: connected });
    const old = await connectUser({ user: lapsed });
    old.client.ws.close(1000);
    await waitForRow(lapsed.id, (row) => row !== undefined && row.hub_active_until < HUB_OPEN);
    await env.DB.prepare("UPDATE user_sockets SET hub_active_until = ? WHERE user_id = ?").bind(Date.now() - 60_000, lapsed.id).run();

    await send(sender, group.id, "who hears this?");
    expect((await client.expect("notify")).seq).toBe(1);
    expect((await hubOf(connected.id).stats()).seq).toBe(1);
    expect((await hubOf(lapsed.id).stats()).seq).toBe(0);
    expect((await hubOf(never.id).stats()).seq).toBe(0);
    expect((await hubOf(sender.id).stats()).seq).toBe(0);
  });
});
