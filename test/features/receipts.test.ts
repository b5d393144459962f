import { describe, expect, it } from "vitest";
import { type TestUser, addMember, createChannel, expectError, expectStatus, newUser, send, settled } from "../helpers/api";
import { api, rawRequest } from "../helpers/client";
import { SHARDS, channelOnShard } from "../helpers/shards";
import { connect } from "../helpers/ws";

const reads = (user: TestUser, channelID: string, query: { limit?: string; after?: string } = {}) =>
  api(user.token).v1.channels[":channelID"].reads.$get({ param: { channelID }, query });
const markRead = (user: TestUser, channelID: string, messageId: string) =>
  expectStatus(api(user.token).v1.channels[":channelID"].read.$post({ param: { channelID }, json: { last_read_message_id: messageId } }), 200);

describe("read receipts", () => {
  it.each(SHARDS)("lists every member's cursor in join order, null until they read (%s)", async (shard) => {
    const [alice, bob, carol] = [await newUser("Alice"), await newUser("Bob"), await newUser("Carol")];
    const group = await channelOnShard(shard, () => createChannel(alice, { type: "group", name: "R", member_ids: [bob.id, carol.id] }));
    expect((await expectStatus(reads(carol, group.id), 200)).reads).toEqual([
      { user_id: alice.id, last_read_message_id: null, updated_at: null },
      { user_id: bob.id, last_read_message_id: null, updated_at: null },
      { user_id: carol.id, last_read_message_id: null, updated_at: null },
    ]);
    const m1 = await send(alice, group.id, "one"); // sending moves the sender's cursor
    const m2 = await send(alice, group.id, "two");
    const cursor = await markRead(bob, group.id, m1.id);
    await settled(group.id); // the sender's own cursor moves with the directory queue (DESIGN §12)
    expect((await expectStatus(reads(carol, group.id), 200)).reads).toEqual([
      { user_id: alice.id, last_read_message_id: m2.id, updated_at: expect.any(Number) },
      { user_id: bob.id, last_read_message_id: m1.id, updated_at: cursor.updated_at },
      { user_id: carol.id, last_read_message_id: null, updated_at: null },
    ]);
  });

  it("pages like the member list (limit ≤ 1000, Link rel=next) and is for members only", async () => {
    const alice = await newUser("Alice");
    const others = [await newUser(), await newUser(), await newUser(), await newUser()];
    const group = await createChannel(alice, { type: "group", name: "Paged", member_ids: others.map((u) => u.id) });
    const all = (await expectStatus(reads(alice, group.id), 200)).reads.map((r) => r.user_id);
    expect(all).toHaveLength(5);
    const first = await reads(alice, group.id, { limit: "2" });
    const link = first.headers.get("Link");
    expect((await expectStatus(first, 200)).reads.map((r) => r.user_id)).toEqual(all.slice(0, 2));
    expect(link).toMatch(/^<\/v1\/channels\/\d+\/reads\?limit=2&after=[^>]+>; rel="next"$/);
    const seen = [...all.slice(0, 2)];
    let next: string | null = link;
    while (next) {
      const res = await rawRequest("GET", next.slice(1, next.indexOf(">")), { token: alice.token });
      next = res.headers.get("Link");
      seen.push(...(await expectStatus(res, 200)).reads.map((r: { user_id: string }) => r.user_id));
    }
    expect(seen).toEqual(all);
    expect((await reads(alice, group.id)).headers.get("Link")).toBeNull();
    await expectError(reads(alice, group.id, { limit: "1001" }), 400, "VALIDATION_FAILED");
    await expectError(reads(alice, group.id, { limit: "0" }), 400, "VALIDATION_FAILED");
    await expectError(reads(alice, group.id, { after: "not a cursor" }), 400, "VALIDATION_FAILED");
    await expectError(reads(await newUser(), group.id), 404, "CHAT_CHANNEL_NOT_FOUND");
    const room = await createChannel(alice, { type: "room", name: "Open" });
    await expectError(reads(others[0]!, room.id), 403, "CHAT_NOT_MEMBER");
  });

  it("in groups and DMs every member's sockets see a read; in rooms only the reader's own", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    for (const channel of [
      await createChannel(alice, { type: "group", name: "G", member_ids: [bob.id] }),
      await createChannel(alice, { type: "dm", user_id: bob.id }),
    ]) {
      const m = await send(alice, channel.id, "hello");
      const { client: aliceSocket } = await connect(channel.id, { user: alice });
      const { client: bobSocket } = await connect(channel.id, { user: bob });
      const cursor = await markRead(bob, channel.id, m.id);
      const expected = { type: "read", channel_id: channel.id, seq: null, data: { user_id: bob.id, ...cursor } };
      expect(await aliceSocket.expect("read")).toEqual(expected);
      expect(await bobSocket.expect("read")).toEqual(expected);
      await aliceSocket.expectSilence();
      aliceSocket.ws.close();
      bobSocket.ws.close();
    }
    const room = await createChannel(alice, { type: "room", name: "Room" });
    await expectStatus(addMember(bob, room.id, bob.id), 201);
    const m = await send(alice, room.id, "hello room");
    const { client: aliceSocket } = await connect(room.id, { user: alice });
    const { client: bobSocket } = await connect(room.id, { user: bob });
    const cursor = await markRead(bob, room.id, m.id);
    expect((await bobSocket.expect("read")).data).toEqual({ user_id: bob.id, ...cursor });
    await aliceSocket.expectSilence();
    await bobSocket.expectSilence();
  });
});
