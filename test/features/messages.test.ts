import { createScheduledController, env } from "cloudflare:test";
import { scheduled } from "../../src/scheduled";
import { describe, expect, it } from "vitest";
import { addMember, call, createChannel, expectError, listed, newUser, send } from "../helpers/api";
import { shardOf } from "../helpers/shards";

async function pair() {
  const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
  const group = await createChannel(alice, { type: "group", name: "G", member_ids: [bob.id] });
  return { alice, bob, group };
}
const list = (user: { token: string }, channelId: string, query = "") =>
  call("GET", `/v1/channels/${channelId}/messages${query}`, { token: user.token });

describe("send message", () => {
  it("stores and returns the seed's message object (201)", async () => {
    const { alice, group } = await pair();
    const res = await call("POST", `/v1/channels/${group.id}/messages`, {
      token: alice.token,
      body: {
        body: "Hello 😀 smile!",
        attachments: [],
        inline_emotes: [{ shortcode: "smile", asset_id: 888999000, start_index: 8, end_index: 13 }],
      },
    });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      id: expect.stringMatching(/^\d{19}$/),
      channel_id: group.id,
      sender_id: alice.id,
      sender_name: "Alice",
      sender_type: "user",
      body: "Hello 😀 smile!",
      attachments: [],
      inline_emotes: [{ shortcode: "smile", asset_id: "888999000", start_index: 8, end_index: 13 }],
      created_at: expect.any(Number),
      edited_at: null,
      deleted: false,
      reactions: [],
    });
    const page = await list(alice, group.id);
    expect(page.json).toEqual({ messages: [res.json], has_more: false });
  });

  it("enforces the body rules: ≤ 1000 code points, body or attachments", async () => {
    const { alice, group } = await pair();
    const path = `/v1/channels/${group.id}/messages`;
    expectError(await call("POST", path, { token: alice.token, body: { body: "x".repeat(1001) } }), 400, "CHAT_MESSAGE_TOO_LONG");
    expect((await call("POST", path, { token: alice.token, body: { body: "😀".repeat(1000) } })).status).toBe(201);
    expectError(await call("POST", path, { token: alice.token, body: { body: "😀".repeat(1001) } }), 400, "CHAT_MESSAGE_TOO_LONG");
    expectError(await call("POST", path, { token: alice.token, body: { body: "" } }), 400, "CHAT_EMPTY_MESSAGE");
    expectError(await call("POST", path, { token: alice.token, body: { body: "  \n " } }), 400, "CHAT_EMPTY_MESSAGE");
    expectError(await call("POST", path, { token: alice.token, body: {} }), 400, "CHAT_EMPTY_MESSAGE");
    expectError(await call("POST", path, { token: alice.token, body: { body: 5 } }), 400, "VALIDATION_FAILED");
    expectError(await call("POST", path, { token: alice.token, body: { body: "x", attachments: [{ asset_id: "12" }] } }), 404, "CHAT_ATTACHMENT_NOT_FOUND");
    expect((await list(alice, group.id)).json.messages).toHaveLength(1);
  });

  it("validates inline emotes: inside the body, end after start, no overlap", async () => {
    const { alice, group } = await pair();
    const path = `/v1/channels/${group.id}/messages`;
    const emote = (start_index: number, end_index: number) => ({ shortcode: "s", asset_id: "1", start_index, end_index });
    for (const inline_emotes of [
      [emote(0, 6)],
      [emote(2, 2)],
      [emote(3, 1)],
      [emote(0, 3), emote(2, 4)],
      [{ ...emote(0, 1), asset_id: "12345678901234567890123" }],
      [{ ...emote(0, 1), asset_id: "abc" }],
      [{ ...emote(0, 1), start_index: -1 }],
      [{ ...emote(0, 1), shortcode: "" }],
    ]) {
      const err = expectError(await call("POST", path, { token: alice.token, body: { body: "hello", inline_emotes } }), 400, "VALIDATION_FAILED");
      expect(err.details).toBeDefined();
    }
    const ok = await call("POST", path, { token: alice.token, body: { body: "hello", inline_emotes: [emote(3, 5), emote(0, 3)] } });
    expect(ok.status).toBe(201);
  });

  it("needs membership: 403 in a room, 404 in a group", async () => {
    const { alice, group } = await pair();
    const outsider = await newUser();
    const room = await createChannel(alice, { type: "room", name: "R" });
    expectError(await call("POST", `/v1/channels/${room.id}/messages`, { token: outsider.token, body: { body: "hi" } }), 403, "CHAT_NOT_MEMBER");
    expectError(await list(outsider, room.id), 403, "CHAT_NOT_MEMBER");
    expectError(await call("POST", `/v1/channels/${group.id}/messages`, { token: outsider.token, body: { body: "hi" } }), 404, "CHAT_CHANNEL_NOT_FOUND");
    expectError(await list(outsider, group.id), 404, "CHAT_CHANNEL_NOT_FOUND");
  });

  it("lets only owner/admins post in broadcast channels; nobody in archived ones", async () => {
    const [owner, admin, member] = [await newUser(), await newUser(), await newUser()];
    const ch = await createChannel(owner, { type: "group", name: "News", broadcast: true, member_ids: [member.id] });
    await addMember(owner, ch.id, admin.id, "admin");
    await send(owner, ch.id, "from owner");
    await send(admin, ch.id, "from admin");
    expectError(await call("POST", `/v1/channels/${ch.id}/messages`, { token: member.token, body: { body: "hi" } }), 403, "CHAT_BROADCAST_ONLY");
    await call("PUT", `/v1/channels/${ch.id}`, { token: owner.token, body: { archived: true } });
    expectError(await call("POST", `/v1/channels/${ch.id}/messages`, { token: owner.token, body: { body: "hi" } }), 403, "CHAT_CHANNEL_ARCHIVED");
    expect((await list(member, ch.id)).json.messages.map((m: { body: string }) => m.body)).toEqual(["from admin", "from owner"]);
  });

  it("refuses sending into a DM across a block, either way", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    await send(alice, dm.id, "before");
    await call("PUT", `/v1/users/me/blocks/${alice.id}`, { token: bob.token });
    expectError(await call("POST", `/v1/channels/${dm.id}/messages`, { token: alice.token, body: { body: "x" } }), 403, "CHAT_DM_BLOCKED_USER");
    expectError(await call("POST", `/v1/channels/${dm.id}/messages`, { token: bob.token, body: { body: "x" } }), 403, "CHAT_DM_BLOCKED_USER");
    expect((await list(alice, dm.id)).json.messages).toHaveLength(1);
  });

  it("unhides a hidden DM for the receiver when a message arrives", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    await call("PUT", `/v1/channels/${dm.id}/members/me`, { token: bob.token, body: { hidden: true } });
    expect((await call("GET", "/v1/channels", { token: bob.token })).json).toEqual([]);
    await send(alice, dm.id, "ping");
    const bobs = (await call("GET", "/v1/channels", { token: bob.token })).json;
    expect(bobs).toMatchObject([{ id: dm.id, hidden: false, unread_count: 1 }]);
  });

  it("sorts the channel list by latest message", async () => {
    const alice = await newUser();
    const first = await createChannel(alice, { type: "group", name: "first" });
    const second = await createChannel(alice, { type: "group", name: "second" });
    const ids = async () => (await call("GET", "/v1/channels", { token: alice.token })).json.map((c: { id: string }) => c.id);
    expect(await ids()).toEqual([second.id, first.id]);
    await send(alice, first.id, "bump");
    expect(await ids()).toEqual([first.id, second.id]);
    expect((await listed(alice, first.id))!.last_message_at).toBeTypeOf("number");
  });
});

describe("idempotent sends", () => {
  it("returns the original message for a retry with the same key, storing nothing new", async () => {
    const { alice, bob, group } = await pair();
    const headers = { "Idempotency-Key": "retry-123" };
    const first = await call("POST", `/v1/channels/${group.id}/messages`, { token: alice.token, body: { body: "once" }, headers });
    const retry = await call("POST", `/v1/channels/${group.id}/messages`, { token: alice.token, body: { body: "once" }, headers });
    expect(retry.status).toBe(201);
    expect(retry.json).toEqual(first.json);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    // The same key from another sender is a different request.
    const bobs = await call("POST", `/v1/channels/${group.id}/messages`, { token: bob.token, body: { body: "mine" }, headers });
    expect(bobs.json.id).not.toBe(first.json.id);
    expect((await list(alice, group.id)).json.messages).toHaveLength(2);
  });

  it("stores one message when retries race", async () => {
    const { alice, group } = await pair();
    const headers = { "Idempotency-Key": "race-1" };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => call("POST", `/v1/channels/${group.id}/messages`, { token: alice.token, body: { body: "x" }, headers })),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(results.map((r) => r.json.id)).size).toBe(1);
    expect((await list(alice, group.id)).json.messages).toHaveLength(1);
  });

  it("treats a key older than 24 h as new", async () => {
    const { alice, group } = await pair();
    const headers = { "Idempotency-Key": "old-key" };
    const first = await send(alice, group.id, "day one", headers);
    await (await shardOf(group.id)).prepare("update idempotency_keys set created_at = created_at - 86400001 where message_id = ?").bind(first.id).run();
    const second = await send(alice, group.id, "day two", headers);
    expect(second.id).not.toBe(first.id);
    expectError(await call("POST", `/v1/channels/${group.id}/messages`, { token: alice.token, body: { body: "x" }, headers: { "Idempotency-Key": "" } }), 400, "VALIDATION_FAILED");
  });
});

describe("concurrent sends", () => {
  it("loses and duplicates nothing; positions are gap-free", async () => {
    const { alice, bob, group } = await pair();
    const sends = Array.from({ length: 40 }, (_, i) => send(i % 2 ? alice : bob, group.id, `m${i}`));
    const sent = await Promise.all(sends);
    const page = await list(alice, group.id, "?limit=100");
    expect(page.json.messages.map((m: { id: string }) => m.id).sort()).toEqual(sent.map((m) => m.id).sort());
    const { results } = await (await shardOf(group.id)).prepare("select position from messages where channel_id = ? order by position").bind(group.id).all<{ position: number }>();
    expect(results.map((r) => r.position)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });
});

describe("edit and delete", () => {
  it("lets the author edit (edited_at set); others get CHAT_NOT_MESSAGE_AUTHOR", async () => {
    const { alice, bob, group } = await pair();
    const m = await send(alice, group.id, "first draft");
    const path = `/v1/channels/${group.id}/messages/${m.id}`;
    expectError(await call("PUT", path, { token: bob.token, body: { body: "hacked" } }), 403, "CHAT_NOT_MESSAGE_AUTHOR");
    const edited = await call("PUT", path, { token: alice.token, body: { body: "Updated message text" } });
    expect(edited.status).toBe(200);
    expect(edited.json).toMatchObject({ id: m.id, body: "Updated message text", edited_at: expect.any(Number), deleted: false });
    expect((await list(bob, group.id)).json.messages[0]).toMatchObject({ body: "Updated message text", edited_at: edited.json.edited_at });
    expectError(await call("PUT", path, { token: alice.token, body: { body: "" } }), 400, "CHAT_EMPTY_MESSAGE");
    expectError(await call("PUT", path, { token: alice.token, body: { body: "y".repeat(1001) } }), 400, "CHAT_MESSAGE_TOO_LONG");
    expectError(await call("PUT", `/v1/channels/${group.id}/messages/1234567890123456789`, { token: alice.token, body: { body: "x" } }), 404, "CHAT_MESSAGE_NOT_FOUND");
  });

  it("soft-deletes: a tombstone with no body, attachments or reactions; by author or admin only", async () => {
    const { alice, bob, group } = await pair();
    const carol = await newUser();
    await addMember(alice, group.id, carol.id);
    const mine = await send(bob, group.id, "bob's");
    const other = await send(carol, group.id, "carol's");
    await call("POST", `/v1/channels/${group.id}/messages/${mine.id}/reactions`, { token: alice.token, body: { emote_asset_id: "1" } });
    expectError(await call("DELETE", `/v1/channels/${group.id}/messages/${other.id}`, { token: bob.token }), 403, "CHAT_NOT_MESSAGE_AUTHOR");
    expect((await call("DELETE", `/v1/channels/${group.id}/messages/${mine.id}`, { token: bob.token })).status).toBe(204);
    expect((await call("DELETE", `/v1/channels/${group.id}/messages/${other.id}`, { token: alice.token })).status).toBe(204);
    const page = (await list(bob, group.id)).json.messages;
    for (const m of page) expect(m).toMatchObject({ deleted: true, body: "", attachments: [], inline_emotes: [], reactions: [] });
    expectError(await call("DELETE", `/v1/channels/${group.id}/messages/${mine.id}`, { token: bob.token }), 404, "CHAT_MESSAGE_NOT_FOUND");
    expectError(await call("PUT", `/v1/channels/${group.id}/messages/${mine.id}`, { token: bob.token, body: { body: "x" } }), 404, "CHAT_MESSAGE_NOT_FOUND");
    const row = await (await shardOf(group.id)).prepare("select body, deleted_at from messages where id = ?").bind(mine.id).first<{ body: string; deleted_at: number }>();
    expect(row!.body).toBe("");
    expect(row!.deleted_at).toBeGreaterThan(0);
  });
});

describe("housekeeping cron", () => {
  it("purges idempotency keys older than 24 h and keeps fresh ones", async () => {
    const { alice, group } = await pair();
    const old = await send(alice, group.id, "old", { "Idempotency-Key": "cron-old" });
    const fresh = await send(alice, group.id, "fresh", { "Idempotency-Key": "cron-fresh" });
    await (await shardOf(group.id)).prepare("update idempotency_keys set created_at = created_at - 86400001 where message_id = ?").bind(old.id).run();
    await scheduled(createScheduledController(), env);
    const keys = await (await shardOf(group.id)).prepare("select message_id from idempotency_keys where message_id in (?, ?)").bind(old.id, fresh.id).all();
    expect(keys.results).toEqual([{ message_id: fresh.id }]);
  });
});
