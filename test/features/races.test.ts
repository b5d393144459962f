import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createChannel, fetchUrl, newUser, send, upload } from "../helpers/api";
import { shardOf } from "../helpers/shards";
import { makePng } from "../helpers/images";
import { api } from "../helpers/client";
import { connect } from "../helpers/ws";

/** Ten identical requests at once: the statuses they got, sorted. */
const tenAtOnce = async (request: () => Promise<{ status: number }>) => (await Promise.all(Array.from({ length: 10 }, request))).map((r) => r.status).sort();

async function group() {
  const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
  const channel = await createChannel(alice, { type: "group", name: "Races", member_ids: [bob.id] });
  return { alice, bob, channel };
}

describe("ten identical requests at once: exactly one wins", () => {
  it("deleting the same message: one 204, nine 404, one event", async () => {
    const { alice, bob, channel } = await group();
    const message = await send(alice, channel.id, "doomed");
    const { client } = await connect(channel.id, { user: bob });
    const param = { channelID: channel.id, messageID: message.id };
    expect(await tenAtOnce(() => api(alice.token).v1.channels[":channelID"].messages[":messageID"].$delete({ param }))).toEqual([204, ...Array(9).fill(404)]);
    expect(await client.expect("message_delete")).toMatchObject({ seq: 2, data: { id: message.id } });
    await send(alice, channel.id, "marker"); // the very next event: no second message_delete came before it
    expect(await client.expect("message")).toMatchObject({ seq: 3, data: { body: "marker" } });
  });

  it("deleting the same channel: one 204, nine 404", async () => {
    const { alice, channel } = await group();
    await send(alice, channel.id, "history");
    expect(await tenAtOnce(() => api(alice.token).v1.channels[":channelID"].$delete({ param: { channelID: channel.id } }))).toEqual([204, ...Array(9).fill(404)]);
    expect((await api(alice.token).v1.channels[":channelID"].$get({ param: { channelID: channel.id } })).status).toBe(404);
  });

  it("an edit never lands on a message deleted a moment earlier", async () => {
    const { alice, channel } = await group();
    for (let round = 0; round < 3; round++) {
      const message = await send(alice, channel.id, "original");
      const param = { channelID: channel.id, messageID: message.id };
      const edits = Array.from({ length: 5 }, (_, i) => api(alice.token).v1.channels[":channelID"].messages[":messageID"].$put({ param, json: { body: `edit ${i}` } }));
      const deletion = api(alice.token).v1.channels[":channelID"].messages[":messageID"].$delete({ param });
      const statuses = (await Promise.all([...edits, deletion])).map((r) => r.status);
      expect(statuses.at(-1)).toBe(204);
      for (const status of statuses.slice(0, -1)) expect([200, 404]).toContain(status);
      const row = await (await shardOf(channel.id)).prepare("select body, deleted_at from messages where id = ?").bind(message.id).first<{ body: string; deleted_at: number }>();
      expect(row).toEqual({ body: "", deleted_at: expect.any(Number) });
    }
  });

  it("racing reactions cannot pass the 20-emote cap", async () => {
    const { alice, channel } = await group();
    const message = await send(alice, channel.id, "react");
    const param = { channelID: channel.id, messageID: message.id };
    for (let i = 0; i < 19; i++) {
      expect((await api(alice.token).v1.channels[":channelID"].messages[":messageID"].reactions.$post({ param, json: { emote_asset_id: String(100 + i) } })).status).toBe(201);
    }
    const statuses = await tenAtOnce(() => api(alice.token).v1.channels[":channelID"].messages[":messageID"].reactions.$post({ param, json: { emote_asset_id: String(500 + Math.floor(Math.random() * 1e9)) } }));
    expect(statuses).toEqual([201, ...Array(9).fill(400)]);
    const row = await (await shardOf(channel.id)).prepare("select count(distinct emote_asset_id) as n from reactions where message_id = ?").bind(message.id).first<{ n: number }>();
    expect(row?.n).toBe(20);
  });

  it("ownership is never handed to a member who is leaving at that moment", async () => {
    for (let round = 0; round < 4; round++) {
      const { alice, bob, channel } = await group();
      const [transfer, leave] = await Promise.all([
        api(alice.token).v1.channels[":channelID"].members[":userID"].$put({ param: { channelID: channel.id, userID: bob.id }, json: { role: "owner" } }),
        api(bob.token).v1.channels[":channelID"].members[":userID"].$delete({ param: { channelID: channel.id, userID: "me" } }),
      ]);
      const owner = await env.DB.prepare("select owner_id from channels where id = ?").bind(channel.id).first<{ owner_id: string }>();
      const bobRow = await env.DB.prepare("select role from channel_members where channel_id = ? and user_id = ?").bind(channel.id, bob.id).first<{ role: string }>();
      if (owner?.owner_id === bob.id) {
        expect(bobRow?.role).toBe("owner"); // transfer won: Bob stays (the owner cannot leave)
        expect([transfer.status, leave.status]).toEqual([200, 403]);
      } else {
        expect(owner?.owner_id).toBe(alice.id); // leave won: nothing changed hands
        expect(bobRow).toBeNull();
        expect([transfer.status, leave.status]).toEqual([404, 204]);
      }
    }
  });

  it("the one-time upload URL takes one PUT: one 200, nine 409", async () => {
    const alice = await newUser("Alice");
    const bytes = new TextEncoder().encode("hello, once");
    const start = await api(alice.token).v1.attachments.uploads.$post({ json: { filename: "once.txt", content_type: "text/plain", size_bytes: bytes.byteLength } });
    const { upload_url } = await start.json();
    const put = () => fetchUrl(upload_url, { method: "PUT", body: bytes, headers: { "Content-Length": String(bytes.byteLength) } });
    expect(await tenAtOnce(put)).toEqual([200, ...Array(9).fill(409)]);
  });
});

describe("deleting a channel with a long history", () => {
  it("purges its messages in bounded chunks after the channel is gone", async () => {
    const { alice, channel } = await group();
    const rows = Array.from({ length: 1200 }, (_, i) => `('${channel.id.slice(0, -5)}${String(10000 + i)}', '${channel.id}', ${i + 1}, '${alice.id}', 'bulk', 0)`);
    for (let i = 0; i < rows.length; i += 300) {
      await (await shardOf(channel.id)).prepare(`insert into messages (id, channel_id, position, sender_id, body, created_at) values ${rows.slice(i, i + 300).join(",")}`).run();
    }
    expect((await api(alice.token).v1.channels[":channelID"].$delete({ param: { channelID: channel.id } })).status).toBe(204);
    const shard = await shardOf(channel.id);
    const count = () => shard.prepare("select count(*) as n from messages where channel_id = ?").bind(channel.id).first<{ n: number }>();
    const deadline = Date.now() + 30_000;
    while ((await count())!.n > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect((await count())!.n).toBe(0);
    while ((await env.DB.prepare("select 1 from channels where id = ?").bind(channel.id).first()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await env.DB.prepare("select 1 from channels where id = ?").bind(channel.id).first()).toBeNull();
  });
});

describe("bounded and hostile edges", () => {
  it("pages blocks: never more than `limit`, with a cursor to the rest", async () => {
    const alice = await newUser("Alice");
    const others = await Promise.all(Array.from({ length: 5 }, (_, i) => newUser(`B${i}`)));
    for (const other of others) await api(alice.token).v1.users.me.blocks[":userID"].$put({ param: { userID: other.id } });
    const first = await (await api(alice.token).v1.users.me.blocks.$get({ query: { limit: "3" } })).json();
    expect(first.blocks).toHaveLength(3);
    expect(first.has_more).toBe(true);
    const second = await (await api(alice.token).v1.users.me.blocks.$get({ query: { limit: "3", before: first.next_cursor! } })).json();
    expect(second).toMatchObject({ has_more: false, next_cursor: null });
    expect(new Set([...first.blocks, ...second.blocks].map((b) => b.user_id))).toEqual(new Set(others.map((o) => o.id)));
  });

  it("never stores '.' or '..' as a filename", async () => {
    const alice = await newUser("Alice");
    for (const name of ["..", ".", "../..", "%2e%2e"]) {
      const res = await api(alice.token).v1.attachments.uploads.$post({ json: { filename: name, size_bytes: 10 } });
      expect(res.status).toBe(201);
      const { asset_id } = await res.json();
      const row = await env.DB.prepare("select filename from attachments where id = ?").bind(asset_id).first<{ filename: string }>();
      expect(row?.filename).toBe("file");
    }
  });

  it("answers 403 FILE_SIGNATURE_INVALID for a signed URL whose exp is not a number, like any other tampering", async () => {
    const alice = await newUser("Alice");
    const start = await (await api(alice.token).v1.attachments.uploads.$post({ json: { filename: "x.txt", size_bytes: 3 } })).json();
    for (const exp of ["soon", "1e12", "-5", ""]) {
      const url = new URL(start.upload_url);
      url.searchParams.set("exp", exp);
      const res = await fetchUrl(url.toString(), { method: "PUT", body: "abc", headers: { "Content-Length": "3" } });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("FILE_SIGNATURE_INVALID");
    }
  });
});

describe("an image whose pixels cannot be decoded", () => {
  it("answers 404 for a thumbnail instead of a 500 (dimensions are readable, the data is not)", async () => {
    const { alice, channel } = await group();
    const png = await makePng(64, 48);
    // Keep the signature and IHDR (so it is an image with a size), cut the pixel data short.
    const broken = png.slice(0, 33 + 8 + 6);
    const uploaded = await upload(alice, broken, "image/png", "broken.png");
    expect(uploaded.status).toBe(201);
    const up = await uploaded.json();
    expect(up.width).toBe(64); // the header still reads as a 64×48 image
    const message = await send(alice, channel.id, { body: "", attachments: [{ asset_id: up.asset_id }] });
    const link = await api(alice.token).v1.channels[":channelID"].messages[":messageID"].attachments[":attachmentID"].url.$get({
      param: { channelID: channel.id, messageID: message.id, attachmentID: up.asset_id },
      query: { size: "256" },
    });
    const res = await fetchUrl((await link.json()).url);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("CHAT_ATTACHMENT_NOT_FOUND");
  });
});

describe("reactions are read within a bound", () => {
  it("lists a message with 600 reactions by reading its counts and the first 100 users, not every row", async () => {
    const { alice, channel } = await group();
    const message = await send(alice, channel.id, "popular");
    const few = await send(alice, channel.id, "quiet");
    await api(alice.token).v1.channels[":channelID"].messages[":messageID"].reactions.$post({ param: { channelID: channel.id, messageID: few.id }, json: { emote_asset_id: "7" } });
    const users = Array.from({ length: 600 }, (_, i) => `fan${String(i).padStart(4, "0")}x${channel.id.slice(-6)}`);
    for (let i = 0; i < users.length; i += 50) {
      const chunk = users.slice(i, i + 50);
      await env.DB.prepare(`insert into users (id, display_name, created_at, updated_at) values ${chunk.map((u) => `('${u}', 'Fan', 0, 0)`).join(",")}`).run();
      await (await shardOf(channel.id)).prepare(`insert into reactions (message_id, emote_asset_id, user_id, created_at) values ${chunk.map((u, j) => `('${message.id}', '7', '${u}', ${i + j})`).join(",")}`).run();
    }
    await (await shardOf(channel.id)).prepare("insert into reaction_counts (message_id, emote_asset_id, count, first_at) values (?, '7', 600, 0)").bind(message.id).run();
    const res = await api(alice.token).v1.channels[":channelID"].messages.$get({ param: { channelID: channel.id }, query: {} });
    const page = await res.json();
    const popular = page.messages.find((m) => m.id === message.id)!;
    expect(popular.reactions).toEqual([{ emote_asset_id: "7", count: 600, user_ids: users.slice(0, 100) }]);
    const read = Number(res.headers.get("Server-Timing")?.match(/d1-rows-read;desc="(\d+)"/)?.[1]);
    expect(read).toBeLessThan(300);
  });
});
