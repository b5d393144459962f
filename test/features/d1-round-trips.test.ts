import { describe, expect, it } from "vitest";
import { createChannel, expectError, expectStatus, newUser, send } from "../helpers/api";
import { api } from "../helpers/client";
import { apiKey, publisher, withKey } from "../helpers/integration";

/** D1 round trips a request waited for, from its Server-Timing (parallel calls share one). */
const roundTrips = (res: { headers: Headers }) => Number(res.headers.get("Server-Timing")?.match(/d1-round-trips;desc="(\d+)"/)?.[1]);
const rowsWritten = (res: { headers: Headers }) => Number(res.headers.get("Server-Timing")?.match(/d1-rows-written;desc="(\d+)"/)?.[1]);

const post = (token: string, channelId: string, body: string, header: Record<string, string> = {}) =>
  api(token).v1.channels[":channelID"].messages.$post({ param: { channelID: channelId }, json: { body }, header });

describe("D1 round trips per request (D1 bills and limits by them)", () => {
  // A send runs in the channel's room, which accepts it write-ahead and remembers who may post; a REST
  // send answers once its flush wrote the shard and then (for a REST send, inline) the directory: two
  // round trips, shared by every message of the flush. The first send after the room wakes reads who may post first.
  it("a REST send waits for one flush into the shard (the directory follows through its queue) — two on a room's first send", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const group = await createChannel(alice, { type: "group", name: "Trips", member_ids: [bob.id] });
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    await send(alice, group.id, "warm-up"); // the isolate's id lease and webhook list are read once

    for (const [channelId, header, trips] of [[group.id, {}, 1], [group.id, { "Idempotency-Key": "trip-1" }, 1], [dm.id, {}, 2], [dm.id, {}, 1]] as const) {
      const res = await post(alice.token, channelId, "hello", header);
      expect(res.status).toBe(201);
      expect(roundTrips(res)).toBe(trips);
    }
  });

  it("a refused send writes nothing, and names the rule that refused it", async () => {
    const [alice, bob, carol] = [await newUser("Alice"), await newUser("Bob"), await newUser("Carol")];
    const room = await createChannel(alice, { type: "room", name: "Lobby" });

    const notMember = await post(carol.token, room.id, "let me in");
    expect(rowsWritten(notMember)).toBe(0);
    await expectError(notMember, 403, "CHAT_NOT_MEMBER");

    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    expect((await api(bob.token).v1.users.me.blocks[":userID"].$put({ param: { userID: alice.id } })).status).toBeLessThan(300);
    const blocked = await post(alice.token, dm.id, "hi?");
    expect(rowsWritten(blocked)).toBe(0);
    await expectError(blocked, 403, "CHAT_DM_BLOCKED_USER");

    await expectStatus(api(alice.token).v1.channels[":channelID"].$put({ param: { channelID: room.id }, json: { archived: true } }), 200);
    const archived = await post(alice.token, room.id, "archived");
    expect(rowsWritten(archived)).toBe(0);
    await expectError(archived, 403, "CHAT_CHANNEL_ARCHIVED");
    const history = await expectStatus(api(alice.token).v1.channels[":channelID"].messages.$get({ param: { channelID: room.id }, query: {} }), 200);
    expect(history.messages).toEqual([]);
  });

  it("a broadcast channel takes sends from owners and admins only", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const news = await createChannel(alice, { type: "group", name: "News", broadcast: true, member_ids: [bob.id] });
    const refused = await post(bob.token, news.id, "me too");
    expect(rowsWritten(refused)).toBe(0);
    await expectError(refused, 403, "CHAT_BROADCAST_ONLY");
    await send(alice, news.id, "the owner may");
  });

  // The credential check counts the request against its key's per-minute and per-day limits (a
  // write that must come first), then the send's one: the publisher, the conversation and the
  // position in the directory batch while the message goes to its shard.
  it("an integration send costs two: the credential with its usage count, then the send's flush into the shard", async () => {
    const { key } = await apiKey();
    const pub = await publisher("Trips Bot");
    const alice = await newUser("Alice");
    const group = await createChannel(alice, { type: "group", name: "Ops" });
    const path = `/chat/v1/conversations/${group.id}/message`;
    await withKey(key, "POST", path, { senderId: pub.id, text: "warm-up" });
    const res = await withKey(key, "POST", path, { senderId: pub.id, text: "disk almost full" });
    expect(res.status).toBe(200);
    expect(roundTrips(res)).toBe(2);
  });

  it("listing messages and the channel list cost one each", async () => {
    const alice = await newUser("Alice");
    const group = await createChannel(alice, { type: "group", name: "Reads" });
    await send(alice, group.id, "one");
    await send(alice, group.id, "two");
    const page = await api(alice.token).v1.channels[":channelID"].messages.$get({ param: { channelID: group.id }, query: {} });
    expect(page.status).toBe(200);
    expect(roundTrips(page)).toBe(1);
    const list = await api(alice.token).v1.channels.$get({ query: {} });
    expect(list.status).toBe(200);
    expect(roundTrips(list)).toBe(1);
  });
});
