import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createChannel, newUser, send, settled } from "../helpers/api";
import { api } from "../helpers/client";

const rowsRead = (res: Response | { headers: Headers }) => Number(res.headers.get("Server-Timing")?.match(/d1-rows-read;desc="(\d+)"/)?.[1]);

describe("the channel list is paged", () => {
  it("gives at most 200 by default, then the rest through Link rel=next, each channel once, newest activity first", async () => {
    const alice = await newUser("Alice");
    const ids: string[] = [];
    for (let i = 0; i < 205; i++) ids.push((await createChannel(alice, { type: "group", name: `G${i}` })).id);
    await send(alice, ids[0]!, "bump"); // activity moves the oldest to the top
    await settled(ids[0]!); // once the directory has it (DESIGN §12)
    const first = await api(alice.token).v1.channels.$get({ query: {} });
    const page1 = await first.json();
    expect(page1).toHaveLength(200);
    expect(page1[0]!.id).toBe(ids[0]);
    const link = first.headers.get("Link")!.match(/^<([^>]+)>; rel="next"$/)![1]!;
    const before = new URL(link, "http://x").searchParams.get("before")!;
    const second = await api(alice.token).v1.channels.$get({ query: { before } });
    const page2 = await second.json();
    expect(second.headers.get("Link")).toBeNull();
    expect(page2).toHaveLength(5);
    const all = [...page1, ...page2].map((c) => c.id);
    expect(new Set(all)).toEqual(new Set(ids));
    expect(all).toEqual([ids[0], ...ids.slice(1).reverse()]);
  });

  it("keeps the plain array with no Link for users with few channels", async () => {
    const bob = await newUser("Bob");
    await createChannel(bob, { type: "group", name: "Only" });
    const res = await api(bob.token).v1.channels.$get({ query: {} });
    expect(res.headers.get("Link")).toBeNull();
    expect(await res.json()).toHaveLength(1);
  });

  it("computes unread counts for the page only: a small page reads far fewer rows", async () => {
    const carol = await newUser("Carol");
    for (let i = 0; i < 60; i++) await createChannel(carol, { type: "group", name: `C${i}` });
    const small = await api(carol.token).v1.channels.$get({ query: { limit: "5" } });
    const full = await api(carol.token).v1.channels.$get({ query: {} });
    expect(await small.json()).toHaveLength(5);
    expect(rowsRead(small)).toBeLessThan(rowsRead(full) * 0.6);
  });

  it("refuses a limit past 200 and a malformed cursor", async () => {
    const dan = await newUser("Dan");
    expect((await api(dan.token).v1.channels.$get({ query: { limit: "201" } })).status).toBe(400);
    expect((await api(dan.token).v1.channels.$get({ query: { before: "yesterday" } })).status).toBe(400);
  });
});

describe("the channel list does not grow with a room's members", () => {
  it("reads a few rows for a room of 500 members (the DM partner comes from the DM's key, not a member join)", async () => {
    const owner = await newUser("Owner");
    const room = await createChannel(owner, { type: "room", name: "Big" });
    const small = await api(owner.token).v1.channels.$get({ query: {} });
    const ids = Array.from({ length: 500 }, (_, i) => `member${i}x${room.id.slice(-6)}`);
    for (let i = 0; i < ids.length; i += 50) {
      const chunk = ids.slice(i, i + 50);
      await env.DB.prepare(`insert into users (id, display_name, created_at, updated_at) values ${chunk.map((u) => `('${u}', 'M', 0, 0)`).join(",")}`).run();
      await env.DB.prepare(`insert into channel_members (channel_id, user_id, role, joined_at) values ${chunk.map((u) => `('${room.id}', '${u}', 'member', 0)`).join(",")}`).run();
    }
    const big = await api(owner.token).v1.channels.$get({ query: {} });
    expect(rowsRead(big)).toBeLessThanOrEqual(rowsRead(small) + 5);
  });
});
