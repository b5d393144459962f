import { describe, expect, it } from "vitest";
import { type TestUser, createChannel, expectError, expectStatus, newUser, send } from "../helpers/api";
import { api } from "../helpers/client";
import { SHARDS, channelOnShard, shardOf } from "../helpers/shards";
import { connect } from "../helpers/ws";

const pins = (user: TestUser, channelID: string) => api(user.token).v1.channels[":channelID"].pins;
const pin = (user: TestUser, channelID: string, messageID: string) => pins(user, channelID)[":messageID"].$put({ param: { channelID, messageID } });
const unpin = (user: TestUser, channelID: string, messageID: string) => pins(user, channelID)[":messageID"].$delete({ param: { channelID, messageID } });
const pinned = async (user: TestUser, channelID: string) => (await expectStatus(pins(user, channelID).$get({ param: { channelID } }), 200)).messages;
const remove = (user: TestUser, channelID: string, messageID: string) =>
  api(user.token).v1.channels[":channelID"].messages[":messageID"].$delete({ param: { channelID, messageID } });
const pinRows = async (channelId: string) =>
  (await (await shardOf(channelId)).prepare("select id, pinned_by from messages where channel_id = ? and pinned_at is not null order by id").bind(channelId).all()).results;

async function setup(shard?: string) {
  const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
  const make = () => createChannel(alice, { type: "group", name: "P", member_ids: [bob.id] });
  const group = shard ? await channelOnShard(shard, make) : await make();
  return { alice, bob, group };
}

/** Stores `n` pinned messages straight into the channel's shard, to bring it near the cap. */
async function seedPinned(channelId: string, senderId: string, n: number) {
  const values = Array.from({ length: n }, (_, i) => `('${channelId.slice(0, -5)}${10000 + i}', '${channelId}', ${1000 + i}, '${senderId}', 'seed', 0, ${i + 1}, '${senderId}')`);
  await (await shardOf(channelId)).prepare(`insert into messages (id, channel_id, position, sender_id, body, created_at, pinned_at, pinned_by) values ${values.join(",")}`).run();
}

describe("pins", () => {
  it.each(SHARDS)("pins and unpins idempotently, one message_update per change, most recently pinned first (%s)", async (shard) => {
    const { alice, bob, group } = await setup(shard);
    const m1 = await send(alice, group.id, "one");
    const m2 = await send(alice, group.id, "two");
    const reply = await send(alice, group.id, { body: "a reply", parent_id: m1.id });
    const { client } = await connect(group.id, { user: alice });
    await expectStatus(pin(bob, group.id, m2.id), 204);
    const event = await client.expect("message_update");
    expect(event.data).toMatchObject({ id: m2.id, body: "two", pinned_by: bob.id, pinned_at: expect.any(Number) });
    await expectStatus(pin(alice, group.id, m2.id), 204); // already pinned: nothing changes, no event
    await client.expectSilence();
    await expectStatus(pin(alice, group.id, m1.id), 204);
    expect((await client.expect("message_update")).data).toMatchObject({ id: m1.id, pinned_by: alice.id });
    await expectStatus(pin(alice, group.id, reply.id), 204); // replies may be pinned too
    expect((await client.expect("message_update")).data).toMatchObject({ id: reply.id, parent_id: m1.id, pinned_by: alice.id });
    expect((await pinned(bob, group.id)).map((m) => [m.id, m.pinned_by])).toEqual([[reply.id, alice.id], [m1.id, alice.id], [m2.id, bob.id]]);
    await expectStatus(unpin(alice, group.id, m2.id), 204);
    expect((await client.expect("message_update")).data).toMatchObject({ id: m2.id, pinned_at: null, pinned_by: null });
    await expectStatus(unpin(alice, group.id, m2.id), 204); // not pinned: nothing changes, no event
    await client.expectSilence();
    expect(await pinRows(group.id)).toEqual([{ id: m1.id, pinned_by: alice.id }, { id: reply.id, pinned_by: alice.id }]);
    // The message list shows the pin too.
    const page = await expectStatus(api(bob.token).v1.channels[":channelID"].messages.$get({ param: { channelID: group.id }, query: {} }), 200);
    expect(page.messages.map((m) => [m.id, m.pinned_by])).toEqual([[m2.id, null], [m1.id, alice.id]]);
  });

  it("deleting a pinned message unpins it", async () => {
    const { alice, bob, group } = await setup();
    const m = await send(bob, group.id, "soon gone");
    await expectStatus(pin(alice, group.id, m.id), 204);
    const { client } = await connect(group.id, { user: alice });
    await expectStatus(remove(bob, group.id, m.id), 204);
    expect((await client.expect("message_delete")).data).toMatchObject({ id: m.id, deleted: true, pinned_at: null, pinned_by: null });
    await client.expectSilence();
    expect(await pinned(alice, group.id)).toEqual([]);
    expect(await pinRows(group.id)).toEqual([]);
    await expectError(pin(alice, group.id, m.id), 404, "CHAT_MESSAGE_NOT_FOUND");
    await expectError(unpin(alice, group.id, m.id), 404, "CHAT_MESSAGE_NOT_FOUND");
  });

  it("refuses unknown and foreign messages, and whoever may not post; lists for members only", async () => {
    const { alice, bob, group } = await setup();
    const m = await send(alice, group.id, "pin me");
    const other = await createChannel(alice, { type: "group", name: "Other" });
    const foreign = await send(alice, other.id, "elsewhere");
    await expectError(pin(alice, group.id, foreign.id), 404, "CHAT_MESSAGE_NOT_FOUND");
    await expectError(unpin(alice, group.id, foreign.id), 404, "CHAT_MESSAGE_NOT_FOUND");
    await expectError(pin(alice, group.id, "1234567890123456789"), 404, "CHAT_MESSAGE_NOT_FOUND");
    await expectError(pin(alice, group.id, "nope"), 404, "CHAT_MESSAGE_NOT_FOUND");
    const outsider = await newUser();
    await expectError(pin(outsider, group.id, m.id), 404, "CHAT_CHANNEL_NOT_FOUND");
    await expectError(pins(outsider, group.id).$get({ param: { channelID: group.id } }), 404, "CHAT_CHANNEL_NOT_FOUND");
    // Broadcast: only owner/admins post, so only they pin.
    await expectStatus(api(alice.token).v1.channels[":channelID"].$put({ param: { channelID: group.id }, json: { broadcast: true } }), 200);
    await expectError(pin(bob, group.id, m.id), 403, "CHAT_BROADCAST_ONLY");
    await expectStatus(pin(alice, group.id, m.id), 204);
    await expectError(unpin(bob, group.id, m.id), 403, "CHAT_BROADCAST_ONLY");
    expect((await pinned(bob, group.id)).map((x) => x.id)).toEqual([m.id]); // members still read them
    // Archived: nobody posts, nobody pins or unpins.
    await expectStatus(api(alice.token).v1.channels[":channelID"].$put({ param: { channelID: group.id }, json: { archived: true } }), 200);
    await expectError(unpin(alice, group.id, m.id), 403, "CHAT_CHANNEL_ARCHIVED");
    // A room's non-member sees the room but not its pins.
    const room = await createChannel(alice, { type: "room", name: "R" });
    const inRoom = await send(alice, room.id, "room message");
    await expectError(pins(bob, room.id).$get({ param: { channelID: room.id } }), 403, "CHAT_NOT_MEMBER");
    await expectError(pin(bob, room.id, inRoom.id), 403, "CHAT_NOT_MEMBER");
    // A DM where one side blocked the other.
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    const inDm = await send(alice, dm.id, "hi");
    await expectStatus(api(bob.token).v1.users.me.blocks[":userID"].$put({ param: { userID: alice.id } }), 204);
    await expectError(pin(alice, dm.id, inDm.id), 403, "CHAT_DM_BLOCKED_USER");
    expect(await pinRows(dm.id)).toEqual([]);
    expect(await pinRows(room.id)).toEqual([]);
    expect(await pinRows(group.id)).toEqual([{ id: m.id, pinned_by: alice.id }]);
  });

  it.each(SHARDS)("takes at most 50 pins per channel; of 10 concurrent pins at 49 exactly one wins (%s)", async (shard) => {
    const { alice, bob, group } = await setup(shard);
    await seedPinned(group.id, alice.id, 49);
    const candidates = [];
    for (let i = 0; i < 10; i++) candidates.push(await send(i % 2 ? alice : bob, group.id, `c${i}`));
    const { client } = await connect(group.id, { user: alice });
    const statuses = await Promise.all(
      candidates.map(async (m, i) => {
        const res = await pin(i % 2 ? bob : alice, group.id, m.id);
        await res.text();
        return res.status;
      }),
    );
    expect([...statuses].sort()).toEqual([204, ...Array(9).fill(400)]);
    const winner = candidates.filter((_, i) => statuses[i] === 204).map((m) => m.id);
    expect((await client.expect("message_update")).data).toMatchObject({ id: winner[0], pinned_at: expect.any(Number) });
    await client.expectSilence();
    expect((await pinRows(group.id)).length).toBe(50);
    const loser = candidates.find((m) => m.id !== winner[0])!;
    await expectError(pin(alice, group.id, loser.id), 400, "CHAT_TOO_MANY_PINS");
    await expectStatus(pin(alice, group.id, winner[0]!), 204); // at the cap, re-pinning a pinned one is still a no-op
    const list = await pinned(bob, group.id);
    expect(list).toHaveLength(50);
    expect(list[0]!.id).toBe(winner[0]); // the newest pin first
    // Unpinning makes room again.
    await expectStatus(unpin(bob, group.id, winner[0]!), 204);
    await expectStatus(pin(bob, group.id, loser.id), 204);
    expect((await pinRows(group.id)).length).toBe(50);
  });
});
