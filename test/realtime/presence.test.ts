import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { addMember, createChannel, expectStatus, newUser } from "../helpers/api";
import { connectUser, userSocketsRow, waitForHub } from "../helpers/user-socket";
import { connect } from "../helpers/ws";

describe("presence", () => {
  it("tells a DM when the other user opens and closes their user socket", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    const { client, ready } = await connect(dm.id, { user: alice, presence: true });
    expect(ready.data.online_user_ids).toEqual([alice.id]);

    const bobSocket = await connectUser({ user: bob });
    expect(await client.expect("presence")).toEqual({ type: "presence", channel_id: dm.id, seq: null, data: { user_id: bob.id, online: true } });
    expect((await userSocketsRow(bob.id))?.online).toBe(1);
    bobSocket.client.ws.close(1000);
    expect(await client.expect("presence")).toMatchObject({ seq: null, data: { user_id: bob.id, online: false } });
    expect((await userSocketsRow(bob.id))?.online).toBe(0);
    await client.expectSilence();
  });

  it("counts channel sockets too: online while any socket is open; ready lists who is online; nobody hears of themselves", async () => {
    const [alice, bob, carol] = [await newUser("Alice"), await newUser("Bob"), await newUser("Carol")];
    const group = await createChannel(alice, { type: "group", name: "Small", member_ids: [bob.id, carol.id] });
    const elsewhere = await createChannel(bob, { type: "room", name: "Elsewhere" });
    const bobRoom = await connect(elsewhere.id, { user: bob }); // a channel socket anywhere makes Bob online
    const { client, ready } = await connect(group.id, { user: alice, presence: true });
    expect([...ready.data.online_user_ids].sort()).toEqual([alice.id, bob.id].sort());

    const carolSocket = await connect(group.id, { user: carol, presence: true });
    expect(await client.expect("presence")).toMatchObject({ data: { user_id: carol.id, online: true } });
    expect([...carolSocket.ready.data.online_user_ids].sort()).toEqual([alice.id, bob.id, carol.id].sort());
    // Carol's second socket changes nothing; closing one of two changes nothing either.
    const carolUser = await connectUser({ user: carol });
    carolSocket.client.ws.close(1000);
    await waitForHub(carol.id, (stats) => stats.channelSockets === 0);
    await client.expectSilence();
    carolUser.client.ws.close(1000);
    expect(await client.expect("presence")).toMatchObject({ data: { user_id: carol.id, online: false } });

    bobRoom.client.ws.close(1000);
    expect(await client.expect("presence")).toMatchObject({ data: { user_id: bob.id, online: false } });
    await client.expectSilence();
  });

  it("has none in rooms, nor in groups of more than 100 members", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const room = await createChannel(alice, { type: "room", name: "Lobby" });
    await expectStatus(addMember(bob, room.id, bob.id), 201);
    const big = await createChannel(alice, { type: "group", name: "Big", member_ids: [bob.id] });
    // As if 99 more had joined (the count is what the rule reads).
    await env.DB.prepare("UPDATE channels SET member_count = 101 WHERE id = ?").bind(big.id).run();
    const inRoom = await connect(room.id, { user: alice, presence: true });
    const inBig = await connect(big.id, { user: alice, presence: true });
    expect(inRoom.ready.data).not.toHaveProperty("online_user_ids");
    expect(inBig.ready.data).not.toHaveProperty("online_user_ids");
    // Their DM does have presence: its frame shows the hub has told every room it tells.
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    const inDm = await connect(dm.id, { user: alice, presence: true });

    const bobSocket = await connectUser({ user: bob });
    const bobInRoom = await connect(room.id, { user: bob, presence: true });
    expect((await inDm.client.expect("presence")).data).toEqual({ user_id: bob.id, online: true });
    await inRoom.client.expectSilence();
    await inBig.client.expectSilence();
    bobSocket.client.ws.close(1000);
    bobInRoom.client.ws.close(1000);
    expect((await inDm.client.expect("presence")).data).toEqual({ user_id: bob.id, online: false });
    await inRoom.client.expectSilence();
    await inBig.client.expectSilence();
  });
});
