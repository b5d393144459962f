import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RoomSendRequest } from "../../src/room/send/room-send";
import { createChannel, expectError, expectStatus, newUser, send } from "../helpers/api";
import { api } from "../helpers/client";
import { channelOnShard, shardNameOf, shardOf } from "../helpers/shards";
import { openUserSocket } from "../helpers/user-socket";
import { type Client, type Frame, connect, openSocket, wrap } from "../helpers/ws";

// DESIGN §6: the channel's room decides and orders every change of its channel. These are the
// races a review found when the Worker decided against D1 and the room only broadcast.

const channel = (token: string, channelID: string) => api(token).v1.channels[":channelID"];
const removeMember = (token: string, channelID: string, userID: string) => channel(token, channelID).members[":userID"].$delete({ param: { channelID, userID } });

const roomOf = (channelId: string) => env.CHANNEL_ROOM.getByName(channelId);

/**
 * Resolves once the room has `what` changes waiting for their turn (the racing request reached it
 * and is queued), or once `racing` settled (it did not wait: the race went the other way).
 */
async function queuedInRoom(channelId: string, what: "alone" | "behindKeys", count: number, racing: Promise<unknown>) {
  let settled = false;
  racing.then(
    () => (settled = true),
    () => (settled = true),
  );
  while (!settled && (await roomOf(channelId).waitingChanges())[what] < count) await new Promise((r) => setTimeout(r, 5));
}

/** Every frame a socket gets until it closes (or `ms` pass with nothing new). */
async function framesUntilClosed(client: Client, ms = 3000): Promise<{ frames: Frame[]; closed: boolean }> {
  const frames: Frame[] = [];
  for (;;) {
    try {
      frames.push(await client.next(ms));
    } catch {
      const closed = await Promise.race([client.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10))]);
      return { frames, closed };
    }
  }
}

describe("the room decides who subscribes", () => {
  it("an upgrade admitted just before a removal is closed by it: the removed member receives no later message", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const group = await createChannel(alice, { type: "group", name: "Held upgrade", member_ids: [bob.id] });
    // Bob's upgrade is admitted (a member), then held just before the room accepts it.
    await roomOf(group.id).holdAt("socket:admitted");
    const upgrade = openSocket(group.id, { user: bob });
    await roomOf(group.id).reached("socket:admitted");
    const removal = removeMember(alice.token, group.id, bob.id);
    await queuedInRoom(group.id, "alone", 1, removal);
    await roomOf(group.id).release("socket:admitted");
    const [opened, removed] = await Promise.all([upgrade, removal]);
    expect([opened.status, removed.status]).toEqual([101, 204]);
    const client = wrap(opened.webSocket!, ["presence"]);

    await send(alice, group.id, "after the removal");
    const { frames, closed } = await framesUntilClosed(client);
    expect(closed).toBe(true);
    expect(await client.closed).toMatchObject({ code: 4003 });
    expect(frames.map((f) => f.type)).toEqual(["ready", "member_remove"]);
  });

  it("no socket of a removed member, however its upgrade raced the removal, receives a later message", async () => {
    for (let round = 0; round < 3; round++) {
      const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
      const group = await createChannel(alice, { type: "group", name: "Race", member_ids: [bob.id] });
      const upgrades = Array.from({ length: 8 }, () => openSocket(group.id, { user: bob })); // under the 10-socket cap
      const removal = removeMember(alice.token, group.id, bob.id);
      const [answers, removed] = await Promise.all([Promise.all(upgrades), removal]);
      expect(removed.status).toBe(204);
      const accepted = answers.filter((r) => r.status === 101).map((r) => wrap(r.webSocket!, ["presence"]));
      // Refused after the removal: the group does not exist for Bob any more.
      for (const r of answers.filter((r) => r.status !== 101)) expect(r.status).toBe(404);

      await send(alice, group.id, "after the removal");
      for (const client of accepted) {
        const { frames, closed } = await framesUntilClosed(client);
        expect(closed).toBe(true);
        expect(frames.map((f) => f.type)).not.toContain("message");
      }
    }
  });

  it("a ticket opens one socket: its second use is refused", async () => {
    const alice = await newUser("Alice");
    const group = await createChannel(alice, { type: "group", name: "Tickets" });
    const { ticket } = await expectStatus(channel(alice.token, group.id)["ws-ticket"].$post({ param: { channelID: group.id } }), 200);
    const [first, second] = await Promise.all([openSocket(group.id, { ticket }), openSocket(group.id, { ticket })]);
    expect([first.status, second.status].sort()).toEqual([101, 401]);
    const refused = first.status === 401 ? first : second;
    expect(await refused.json()).toMatchObject({ error: { code: "AUTH_INVALID_TOKEN" } });
    await expectError(openSocket(group.id, { ticket }), 401, "AUTH_INVALID_TOKEN");

    // The user socket's tickets too.
    const user = await expectStatus(api(alice.token).v1["ws-ticket"].$post(), 200);
    const opened = await openUserSocket({ ticket: user.ticket });
    expect(opened.status).toBe(101);
    opened.webSocket!.accept();
    await expectError(openUserSocket({ ticket: user.ticket }), 401, "AUTH_INVALID_TOKEN");
  });

  it("ten identical removals: one 204, the others 404, one member_remove", async () => {
    const [alice, bob, carol] = [await newUser("Alice"), await newUser("Bob"), await newUser("Carol")];
    const group = await createChannel(alice, { type: "group", name: "Removals", member_ids: [bob.id, carol.id] });
    const { client } = await connect(group.id, { user: carol });
    const answers = await Promise.all(Array.from({ length: 10 }, () => removeMember(alice.token, group.id, bob.id)));
    const statuses = answers.map((r) => r.status as number).sort();
    expect(statuses).toEqual([204, ...Array(9).fill(404)]);
    for (const r of answers.filter((r) => (r.status as number) === 404)) expect(await r.json()).toMatchObject({ error: { code: "CHAT_USER_NOT_FOUND" } });
    expect(await client.expect("member_remove")).toMatchObject({ data: { user_id: bob.id } });
    await client.expectSilence();
  });

  it("a since_seq from another epoch of the room's log gets resync_required", async () => {
    const alice = await newUser("Alice");
    const group = await createChannel(alice, { type: "group", name: "Epochs" });
    const { ready } = await connect(group.id, { user: alice });
    const epoch = ready.data.epoch as number;
    expect(epoch).toEqual(expect.any(Number));
    await send(alice, group.id, "one");
    await send(alice, group.id, "two");

    const same = await connect(group.id, { user: alice, sinceSeq: 1, epoch });
    expect(same.ready.data.epoch).toBe(epoch);
    expect(await same.client.expect("message")).toMatchObject({ seq: 2, data: { body: "two" } });

    const other = await connect(group.id, { user: alice, sinceSeq: 1, epoch: epoch + 1 });
    expect(await other.client.expect("resync_required")).toMatchObject({ data: { seq: 2, since_seq: 1, epoch } });
    await other.client.expectSilence();
  });
});

describe("idempotency keys belong to a channel", () => {
  it("a key reused in another channel on the same shard is a new message there and announces nothing of the first", async () => {
    const alice = await newUser("Alice");
    const first = await createChannel(alice, { type: "group", name: "First" });
    const shard = await shardNameOf(first.id);
    const second = await channelOnShard(shard, () => createChannel(alice, { type: "group", name: "Second" }));
    const sent = await send(alice, first.id, "in the first", { "idempotency-key": "shared-key" });
    const watchFirst = await connect(first.id, { user: alice, sinceSeq: 1 });
    const watchSecond = await connect(second.id, { user: alice });

    const res = await channel(alice.token, second.id).messages.$post({ param: { channelID: second.id }, header: { "idempotency-key": "shared-key" }, json: { body: "in the second" } });
    expect(res.headers.get("Idempotent-Replayed")).toBeNull();
    const other = await expectStatus(res, 201);
    expect(other).toMatchObject({ channel_id: second.id, body: "in the second" });
    expect(other.id).not.toBe(sent.id);
    expect(await watchSecond.client.expect("message")).toMatchObject({ data: { id: other.id } });
    await watchFirst.client.expectSilence();

    // And within its own channel the key still answers with the first message.
    const again = await channel(alice.token, first.id).messages.$post({ param: { channelID: first.id }, header: { "idempotency-key": "shared-key" }, json: { body: "in the first" } });
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await expectStatus(again, 201)).toMatchObject({ id: sent.id });
    await watchFirst.client.expectSilence();
  });
});

describe("changes are ordered with sends", () => {
  it("a reply checked before a removal is stored before it: the removal waits for it", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const group = await createChannel(alice, { type: "group", name: "Replies", member_ids: [bob.id] });
    const root = await send(alice, group.id, "root");
    const { client } = await connect(group.id, { user: alice });
    // Bob's reply has passed every check and is held just before its shard insert.
    await roomOf(group.id).holdAt("reply:checked");
    const reply = channel(bob.token, group.id).messages.$post({ param: { channelID: group.id }, header: {}, json: { body: "a reply", parent_id: root.id } });
    await roomOf(group.id).reached("reply:checked");
    const removal = removeMember(alice.token, group.id, bob.id);
    await queuedInRoom(group.id, "alone", 1, removal);
    await roomOf(group.id).release("reply:checked");
    const [answer, removed] = await Promise.all([reply, removal]);
    expect([answer.status, removed.status]).toEqual([201, 204]);
    expect((await client.next()).type).toBe("message");
    expect((await client.next()).type).toBe("message_update");
    expect(await client.next()).toMatchObject({ type: "member_remove", data: { user_id: bob.id } });
    await client.expectSilence();
    // After the removal, the next reply is refused and stores nothing.
    const refused = channel(bob.token, group.id).messages.$post({ param: { channelID: group.id }, header: {}, json: { body: "too late", parent_id: root.id } });
    await expectError(refused, 404, "CHAT_CHANNEL_NOT_FOUND");
    const stored = (await (await shardOf(group.id)).prepare("select body from messages where parent_id = ?").bind(root.id).all()).results;
    expect(stored).toEqual([{ body: "a reply" }]);
  });

  it("an edit, a reaction and a read cursor naming a message that is being sent wait for it: one order, nothing 404", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const group = await createChannel(alice, { type: "group", name: "Order", member_ids: [bob.id] });
    const { client } = await connect(group.id, { user: bob });
    const messageId = `7${String(Date.now()).padStart(18, "0")}`.slice(0, 19);
    const request: RoomSendRequest = { channelId: group.id, poster: { kind: "member" }, senderId: alice.id, uploaderId: alice.id, body: "draft", assetIds: [], messageId, requestId: "order", bookmarks: {} };
    // The send is held after its checks, before anything is stored; the three changes naming its
    // message arrive meanwhile and must wait for it (not 404, not announced before it).
    await roomOf(group.id).holdAt("send:checked");
    const sending = roomOf(group.id).send(request);
    await roomOf(group.id).reached("send:checked");
    const params = { channelID: group.id, messageID: messageId };
    const changes = Promise.all([
      channel(alice.token, group.id).messages[":messageID"].$put({ param: params, json: { body: "final" } }),
      channel(bob.token, group.id).messages[":messageID"].reactions.$post({ param: params, json: { emote_asset_id: "👍" } }),
      channel(bob.token, group.id).read.$post({ param: { channelID: group.id }, json: { last_read_message_id: messageId } }),
    ]);
    await queuedInRoom(group.id, "behindKeys", 3, changes);
    await roomOf(group.id).release("send:checked");
    const [sent, [edited, reacted, read]] = await Promise.all([sending, changes]);
    expect("message" in sent && sent.message.id).toBe(messageId);
    expect([edited.status, reacted.status, read.status]).toEqual([200, 201, 200]);
    const frames = [await client.next(), await client.next(), await client.next(), await client.next()];
    // The message first; the rest after it, in the order the room applied them (seq order).
    expect(frames[0]).toMatchObject({ type: "message", seq: 1, data: { id: messageId } });
    expect(frames.slice(1).map((f) => f.type).sort()).toEqual(["message_update", "reaction_add", "read"]);
    const sequenced = frames.filter((f) => f.seq !== null).map((f) => f.seq);
    expect(sequenced).toEqual([...sequenced].sort((a, b) => a! - b!));
    const update = frames.find((f) => f.type === "message_update")!;
    expect(update.data.body).toBe("final");
  });
});
