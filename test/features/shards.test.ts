import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createChannel, listed, newUser, send } from "../helpers/api";
import { api } from "../helpers/client";
import { shardOf } from "../helpers/shards";

const admin = () => api(env.ADMIN_TOKEN).admin.v1.shards;
const shardName = async (channelId: string) =>
  (await env.DB.prepare("select shard from channels where id = ?").bind(channelId).first<{ shard: string }>())!.shard;

describe("history shards", () => {
  it("places new channels on the least-loaded open shard, so both shards hold history", async () => {
    const alice = await newUser("Alice");
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push((await createChannel(alice, { type: "group", name: `S${i}` })).id);
    const placed = await Promise.all(ids.map(shardName));
    expect(new Set(placed)).toEqual(new Set(["HISTORY_0", "HISTORY_1"]));
    for (const id of ids) await send(alice, id, `hello ${id}`);
    for (const id of ids) {
      const own = await shardOf(id);
      const other = own === env.HISTORY_0 ? env.HISTORY_1 : env.HISTORY_0;
      expect((await own.prepare("select count(*) as n from messages where channel_id = ?").bind(id).first<{ n: number }>())!.n).toBe(1);
      expect((await other.prepare("select count(*) as n from messages where channel_id = ?").bind(id).first<{ n: number }>())!.n).toBe(0);
    }
  });

  it("keeps unread counts right for a reader with channels on both shards", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const a = await createChannel(alice, { type: "group", name: "A", member_ids: [bob.id] });
    const b = await createChannel(alice, { type: "group", name: "B", member_ids: [bob.id] });
    expect(await shardName(a.id)).not.toBe(await shardName(b.id));
    for (let i = 0; i < 3; i++) await send(alice, a.id, `a${i}`);
    const doomed = await send(alice, b.id, "b0");
    await send(alice, b.id, "b1");
    await api(alice.token).v1.channels[":channelID"].messages[":messageID"].$delete({ param: { channelID: b.id, messageID: doomed.id } });
    expect((await listed(bob, a.id))!.unread_count).toBe(3);
    expect((await listed(bob, b.id))!.unread_count).toBe(1);
    // Marking unread back before one's own message: one's own never counts.
    const first = await send(bob, a.id, "bob here");
    expect((await listed(bob, a.id))!.unread_count).toBe(0);
    const page = await (await api(bob.token).v1.channels[":channelID"].messages.$get({ param: { channelID: a.id }, query: {} })).json();
    const oldest = page.messages.at(-1)!;
    await api(bob.token).v1.channels[":channelID"].read.$post({ param: { channelID: a.id }, json: { last_read_message_id: oldest.id } });
    expect((await listed(bob, a.id))!.unread_count).toBe(2); // a1, a2 — not Bob's own
    expect(first.id).toBeTruthy();
  });

  it("reports every shard to the operator, and a closed shard takes no new channels", async () => {
    const alice = await newUser("Alice");
    const before = await (await admin().$get()).json();
    expect(before.shards.map((s) => s.name)).toEqual(["HISTORY_0", "HISTORY_1"]);
    for (const s of before.shards) expect(s).toMatchObject({ open: true, channels: expect.any(Number), messages: expect.any(Number), size_bytes: expect.any(Number) });
    expect((await api(env.ADMIN_TOKEN).admin.v1.shards[":name"].$patch({ param: { name: "HISTORY_1" }, json: { open: false } })).status).toBe(200);
    try {
      for (let i = 0; i < 4; i++) expect(await shardName((await createChannel(alice, { type: "room", name: `R${i}` })).id)).toBe("HISTORY_0");
      const after = await (await admin().$get()).json();
      expect(after.shards.find((s) => s.name === "HISTORY_1")!.open).toBe(false);
    } finally {
      await api(env.ADMIN_TOKEN).admin.v1.shards[":name"].$patch({ param: { name: "HISTORY_1" }, json: { open: true } });
    }
    expect((await api(env.ADMIN_TOKEN).admin.v1.shards[":name"].$patch({ param: { name: "HISTORY_9" }, json: { open: false } })).status).toBe(404);
    expect((await api("nope").admin.v1.shards.$get()).status).toBe(401);
  });
});
