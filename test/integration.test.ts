import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, createChannel, expectError, fetchUrl, newUser, settled, uniqueId } from "./helpers/api";
import { makePng } from "./helpers/images";
import {
  admin,
  apiKey,
  expect422,
  expectEnvelopeError,
  numericId,
  numericUser,
  publisher,
  withKey,
} from "./helpers/integration";
import { connect } from "./helpers/ws";

describe("API keys and scopes", () => {
  it("creates keys (shown once, stored hashed), lists and revokes them; a revoked key fails at once", async () => {
    const created = await apiKey(["chat.read"]);
    expect(created.key).toMatch(/^ck_[\w-]{43}$/);
    const listed = (await admin("GET", "/admin/v1/api-keys")).json.api_keys.find((k: { id: string }) => k.id === created.id);
    expect(listed).toEqual({ id: created.id, name: expect.any(String), scopes: ["chat.read"], created_at: expect.any(Number), last_used_at: null, revoked: false });
    expect(JSON.stringify(listed)).not.toContain(created.key);
    const row = await env.DB.prepare("select key_hash from api_keys where id = ?").bind(created.id).first<{ key_hash: string }>();
    expect(row!.key_hash).toMatch(/^[0-9a-f]{64}$/);

    expect((await withKey(created.key, "GET", "/chat/v1/conversations")).status).toBe(200);
    const used = (await admin("GET", "/admin/v1/api-keys")).json.api_keys.find((k: { id: string }) => k.id === created.id);
    const now = Math.floor(Date.now() / 1000);
    expect(used.last_used_at).toBeGreaterThan(now - 61); // the minute of the last request
    expect(used.last_used_at).toBeLessThanOrEqual(now);
    expect((await admin("DELETE", `/admin/v1/api-keys/${created.id}`)).status).toBe(204);
    const revoked = await withKey(created.key, "GET", "/chat/v1/conversations", undefined, { "CF-Connecting-IP": "192.0.2.1" });
    expectEnvelopeError(revoked, 401, "/chat/v1/conversations");
    expect(revoked.headers.get("WWW-Authenticate")).toContain("Bearer");
    expect((await admin("DELETE", `/admin/v1/api-keys/${created.id}`)).status).toBe(404);
    expectError(await admin("POST", "/admin/v1/api-keys", { name: "x", scopes: ["chat.admin"] }), 400, "VALIDATION_FAILED");
    expectError(await call("GET", "/admin/v1/api-keys"), 401, "AUTH_REQUIRED");
  });

  it("checks the scope of every route (403 without it) and refuses missing or unknown keys (401 with WWW-Authenticate)", async () => {
    const readOnly = await apiKey(["chat.read"]);
    const pub = await publisher();
    const checks: [string, string, unknown?][] = [
      ["POST", "/chat/v1/conversations", { title: "x", type: "team" }],
      ["POST", `/chat/v1/conversations/${"1".repeat(19)}/message`, { senderId: pub.id, text: "x" }],
      ["POST", "/chat/v1/conversations/privateMessage/12345", { senderId: pub.id, text: "x" }],
      ["POST", "/attachments/v1/files/generate-upload-url", { fileName: "a", featureType: "chat" }],
      ["PUT", "/attachments/v1/files/complete-upload/1", undefined],
      ["GET", "/attachments/v1/files/1", undefined],
      ["POST", "/attachments/v1/files/download-url", { fileUrl: "https://x.test/files/1/full" }],
      ["GET", "/publishers/v1/publishers", undefined],
    ];
    for (const [method, path, body] of checks) {
      expectEnvelopeError(await withKey(readOnly.key, method, path, body), 403, path);
      const none = await call(method, path, { body });
      expectEnvelopeError(none, 401, path);
      expect(none.headers.get("WWW-Authenticate")).toBe('Bearer realm="integration-api"');
      expectEnvelopeError(await withKey("ck_nope", method, path, body), 401, path);
    }
  });

  it("reports Connecteam's rate-limit headers: per key, a UTC minute and a UTC day, resets as epoch seconds", async () => {
    const { key } = await apiKey(["chat.read"]);
    const before = Math.floor(Date.now() / 1000);
    const first = await withKey(key, "GET", "/chat/v1/conversations?limit=1");
    const second = await withKey(key, "GET", "/chat/v1/conversations?limit=1");
    expect(first.headers.get("x-ratelimit-minute-limit")).toBe("300");
    expect(first.headers.get("x-ratelimit-minute-remaining")).toBe("299");
    expect(second.headers.get("x-ratelimit-minute-remaining")).toBe("298");
    const minuteReset = Number(first.headers.get("x-ratelimit-minute-reset"));
    expect(minuteReset % 60).toBe(0);
    expect(minuteReset).toBeGreaterThan(before);
    expect(minuteReset).toBeLessThanOrEqual(before + 61);
    expect(first.headers.get("x-ratelimit-day-limit")).toBe("10000");
    expect(first.headers.get("x-ratelimit-day-remaining")).toBe("9999");
    expect(second.headers.get("x-ratelimit-day-remaining")).toBe("9998");
    const dayReset = Number(first.headers.get("x-ratelimit-day-reset"));
    expect(dayReset % 86_400).toBe(0);
    expect(dayReset).toBeGreaterThan(before);
    expect(dayReset).toBeLessThanOrEqual(before + 86_401);
    // Errors after authentication carry them too.
    const invalid = await withKey(key, "GET", "/chat/v1/conversations?limit=0");
    expect(invalid.status).toBe(422);
    expect(invalid.headers.get("x-ratelimit-minute-remaining")).toBe("297");
  });

  it("answers 429 past 300 requests in a minute, without counting the refused ones", async () => {
    const { id, key } = await apiKey(["chat.read"]);
    // Not across a minute boundary: the count below belongs to this minute.
    if (Date.now() % 60_000 > 57_000) await new Promise((r) => setTimeout(r, 60_000 - (Date.now() % 60_000) + 50));
    expect((await withKey(key, "GET", "/chat/v1/conversations?limit=1")).status).toBe(200);
    // 298 more requests, as D1 would have counted them (sending them takes seconds on a small machine).
    await env.DB.prepare("update api_key_usage set minute_count = 299 where key_id = ?").bind(id).run();
    const last = await withKey(key, "GET", "/chat/v1/conversations?limit=1");
    expect(last.status).toBe(200);
    expect(last.headers.get("x-ratelimit-minute-remaining")).toBe("0");
    const limited = await withKey(key, "GET", "/chat/v1/conversations?limit=1");
    expectEnvelopeError(limited, 429, "/chat/v1/conversations");
    expect(limited.headers.get("x-ratelimit-minute-remaining")).toBe("0");
    expect(limited.headers.get("x-ratelimit-day-remaining")).toBe("9998");
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(Number(limited.headers.get("Retry-After"))).toBeLessThanOrEqual(60);
    const row = await env.DB.prepare("select minute_count, day_count from api_key_usage where key_id = ?").bind(id).first();
    expect(row).toEqual({ minute_count: 300, day_count: 2 }); // the refused request wrote nothing
  }, 15_000);

  it("answers 429 past 10,000 requests in a UTC day (Retry-After to midnight UTC)", async () => {
    const { id, key } = await apiKey(["chat.read"]);
    expect((await withKey(key, "GET", "/chat/v1/conversations?limit=1")).status).toBe(200);
    await env.DB.prepare("update api_key_usage set day_count = 9999 where key_id = ?").bind(id).run();
    const last = await withKey(key, "GET", "/chat/v1/conversations?limit=1");
    expect(last.status).toBe(200);
    expect(last.headers.get("x-ratelimit-day-remaining")).toBe("0");
    const refused = await withKey(key, "GET", "/chat/v1/conversations?limit=1");
    expectEnvelopeError(refused, 429, "/chat/v1/conversations");
    expect(refused.headers.get("x-ratelimit-day-remaining")).toBe("0");
    const toMidnight = Number(refused.headers.get("x-ratelimit-day-reset")) - Math.floor(Date.now() / 1000);
    expect(Math.abs(Number(refused.headers.get("Retry-After")) - toMidnight)).toBeLessThanOrEqual(1);
    const row = await env.DB.prepare("select day_count from api_key_usage where key_id = ?").bind(id).first<{ day_count: number }>();
    expect(row!.day_count).toBe(10_000);
  });
});

describe("publishers", () => {
  it("are created, listed, renamed and retired by the admin API, and listed on /publishers/v1", async () => {
    const { key } = await apiKey(["publishers.read"]);
    const pub = await publisher("HR Bot");
    expect(pub).toEqual({ id: expect.any(Number), name: "HR Bot", imageUrl: "https://example.com/bot.png" });
    const renamed = await admin("PATCH", `/admin/v1/publishers/${pub.id}`, { name: "People Bot" });
    expect(renamed.json).toMatchObject({ id: pub.id, name: "People Bot" });
    expectError(await admin("PATCH", `/admin/v1/publishers/${pub.id}`, {}), 400, "VALIDATION_FAILED");
    const listed = await withKey(key, "GET", "/publishers/v1/publishers?limit=100");
    expect(listed.json).toMatchObject({ requestId: expect.any(String), data: { publishers: expect.arrayContaining([{ id: pub.id, name: "People Bot", imageUrl: "https://example.com/bot.png" }]) } });
    expect((await admin("DELETE", `/admin/v1/publishers/${pub.id}`)).status).toBe(204);
    const after = await withKey(key, "GET", "/publishers/v1/publishers?limit=100");
    expect(after.json.data.publishers.map((p: { id: number }) => p.id)).not.toContain(pub.id);
    expectError(await admin("PATCH", `/admin/v1/publishers/${pub.id}`, { name: "x" }), 404, "CHAT_USER_NOT_FOUND");
    expectError(await admin("POST", "/admin/v1/publishers", { name: "" }), 400, "VALIDATION_FAILED");
  });

  it("show imageUrl as a string (\"\" when there is none), and take only https image URLs", async () => {
    const { key } = await apiKey(["publishers.read"]);
    const bare = await publisher("No Image", null);
    expect(bare.imageUrl).toBeNull(); // the admin API says what is stored
    const listed = (await withKey(key, "GET", "/publishers/v1/publishers?limit=100")).json.data.publishers;
    expect(listed.find((p: { id: number }) => p.id === bare.id)).toEqual({ id: bare.id, name: "No Image", imageUrl: "" });
    for (const imageUrl of ["javascript:alert(1)", "http://example.com/a.png", "data:image/png;base64,AAAA", "https://", "//example.com/a.png", "https://user:pw@example.com/a.png", "ftp://example.com/a"]) {
      expectError(await admin("POST", "/admin/v1/publishers", { name: "x", imageUrl }), 400, "VALIDATION_FAILED");
      expectError(await admin("PATCH", `/admin/v1/publishers/${bare.id}`, { imageUrl }), 400, "VALIDATION_FAILED");
    }
    expect((await admin("PATCH", `/admin/v1/publishers/${bare.id}`, { imageUrl: "https://cdn.example.com/p.png?v=2" })).json.imageUrl).toBe("https://cdn.example.com/p.png?v=2");
    expect((await admin("PATCH", `/admin/v1/publishers/${bare.id}`, { imageUrl: null })).json.imageUrl).toBeNull();
  });
});

describe("conversations", () => {
  it("lists team chats and channels with their source, never private ones, paging to the end", async () => {
    const { key } = await apiKey();
    const [alice, bob] = [await newUser(), await newUser()];
    const team = await createChannel(alice, { type: "group", name: "Team A" });
    const channel = await createChannel(alice, { type: "room", name: "Announcements", broadcast: true });
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    const worker = await numericUser();
    const made = await withKey(key, "POST", "/chat/v1/conversations", { title: "Made by API", type: "team", assignedUserIds: [Number(worker.id)] });
    const seen: { id: string; title: string; type: string; conversationSource: string }[] = [];
    let offset = 0;
    for (;;) {
      const res = await withKey(key, "GET", `/chat/v1/conversations?limit=2&offset=${offset}`);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ requestId: expect.any(String), paging: { offset: offset + res.json.data.conversations.length } });
      seen.push(...res.json.data.conversations);
      if (res.json.data.conversations.length < 2) break;
      offset = res.json.paging.offset;
    }
    expect(new Set(seen.map((c) => c.id)).size).toBe(seen.length);
    expect(seen).toContainEqual({ id: team.id, title: "Team A", type: "team", conversationSource: "app" });
    expect(seen).toContainEqual({ id: channel.id, title: "Announcements", type: "channel", conversationSource: "app" });
    expect(seen).toContainEqual({ id: made.json.data.conversation.id, title: "Made by API", type: "team", conversationSource: "api" });
    expect(seen.some((c) => c.id === dm.id)).toBe(false);
    for (const [q, type] of [["limit=0", "greater_than_equal"], ["limit=101", "less_than_equal"], ["offset=-1", "greater_than_equal"], ["limit=x", "int_parsing"]] as const) {
      expect422(await withKey(key, "GET", `/chat/v1/conversations?${q}`), ["query", q.split("=")[0]!], type);
    }
    expect((await withKey(key, "GET", "/chat/v1/conversations?limit=%2B5")).status).toBe(200); // pydantic takes "+5"
  });

  it("creates a conversation: members are the assigned users, admins those also assigned (the first owns it)", async () => {
    const { key } = await apiKey();
    const [lead, deputy, worker, outsider] = [await numericUser(), await numericUser(), await numericUser(), await numericUser()];
    const body = {
      title: "  Night shift ",
      type: "channel",
      assignedUserIds: [Number(worker.id), Number(lead.id), deputy.id], // a numeric string is an integer too
      adminUserIds: [Number(lead.id), Number(deputy.id), Number(outsider.id)],
      description: [{ type: "html", html: "<p>Rota</p>" }],
    };
    const res = await withKey(key, "POST", "/chat/v1/conversations", body);
    expect(res.status, res.text).toBe(200);
    const { conversation } = res.json.data;
    expect(conversation).toEqual({
      id: expect.stringMatching(/^\d{19}$/),
      title: "Night shift",
      type: "channel",
      assignedUserIds: [Number(worker.id), Number(lead.id), Number(deputy.id)],
      assignedSmartGroupIds: [],
      adminUserIds: [Number(lead.id), Number(deputy.id)],
      isLocked: false,
      isMembersHidden: false,
      description: [{ type: "html", html: "<p>Rota</p>" }],
    });
    const channel = await call("GET", `/v1/channels/${conversation.id}`, { token: worker.token });
    expect(channel.json).toMatchObject({ name: "Night shift", owner_id: lead.id, broadcast: true, type: "group" });
    const roles = Object.fromEntries((await call("GET", `/v1/channels/${conversation.id}/members`, { token: worker.token })).json.map((m: any) => [m.user_id, m.role]));
    expect(roles).toEqual({ [lead.id]: "owner", [deputy.id]: "admin", [worker.id]: "member" });
    const stored = await env.DB.prepare("select source, description from integration_conversations where channel_id = ?").bind(conversation.id).first();
    expect(stored).toEqual({ source: "api", description: JSON.stringify(body.description) });

    // No admins: no owner; a locked team is a group where only admins post.
    const locked = await withKey(key, "POST", "/chat/v1/conversations", { title: "Ops", type: "team", assignedUserIds: [Number(worker.id)], isLocked: true });
    expect(locked.json.data.conversation).toMatchObject({ type: "team", isLocked: true, adminUserIds: [] });
    expect((await call("GET", `/v1/channels/${locked.json.data.conversation.id}`, { token: worker.token })).json).toMatchObject({ owner_id: null, broadcast: true });
  });

  it("refuses bad conversations: 422 naming the field, 404 for unknown users and smart groups", async () => {
    const { key } = await apiKey();
    const worker = await numericUser();
    const path = "/chat/v1/conversations";
    const one = [Number(worker.id)];
    expect422(await withKey(key, "POST", path, { title: "   ", type: "team", assignedUserIds: one }), ["body", "title"], "value_error");
    expect422(await withKey(key, "POST", path, { title: "x".repeat(101), type: "team", assignedUserIds: one }), ["body", "title"], "string_too_long");
    expect422(await withKey(key, "POST", path, { type: "team", assignedUserIds: one }), ["body", "title"], "missing");
    expect422(await withKey(key, "POST", path, { title: "x", assignedUserIds: one }), ["body", "type"], "missing");
    expect422(await withKey(key, "POST", path, { title: "x", type: "room", assignedUserIds: one }), ["body", "type"], "enum");
    expect422(await withKey(key, "POST", path, { title: "x", type: "team" }), ["body", "assignedUserIds"], "value_error");
    expect422(await withKey(key, "POST", path, { title: "x", type: "team", assignedUserIds: ["alice"] }), ["body", "assignedUserIds", 0], "int_parsing");
    expect422(await withKey(key, "POST", path, { title: "x", type: "team", assignedUserIds: [1.5] }), ["body", "assignedUserIds", 0], "int_from_float");
    expect422(await withKey(key, "POST", path, { title: "x", type: "team", assignedUserIds: one, isMembersHidden: true }), ["body", "isMembersHidden"], "value_error");
    expect422(await withKey(key, "POST", path, { title: "x", type: "team", assignedUserIds: one, description: ["text"] }), ["body", "description", 0]);
    expect422(await withKey(key, "POST", path, { title: "x", type: "team", assignedUserIds: Array.from({ length: 1001 }, (_, i) => i + 1) }), ["body", "assignedUserIds"], "too_long");
    expectEnvelopeError(await withKey(key, "POST", path, { title: "x", type: "team", assignedUserIds: [...one, Number(numericId())] }), 404, path);
    expectEnvelopeError(await withKey(key, "POST", path, { title: "x", type: "team", assignedUserIds: one, assignedSmartGroupIds: [7] }), 404, path);
  });

  it("looks up more than 100 assigned users in chunks (D1 binds at most 100 parameters)", async () => {
    const { key } = await apiKey();
    const ids = Array.from({ length: 150 }, () => numericId());
    // Provisioned straight into D1 (as PUT /admin/v1/users/{id} would, 150 times).
    const insert = env.DB.prepare("insert into users (id, display_name, kind, created_at, updated_at) values (?, ?, 'user', ?, ?)");
    await env.DB.batch(ids.map((id) => insert.bind(id, `U${id}`, Date.now(), Date.now())));
    const res = await withKey(key, "POST", "/chat/v1/conversations", { title: "Everyone", type: "channel", assignedUserIds: ids.map(Number), adminUserIds: [Number(ids[0])] });
    expect(res.status, res.text).toBe(200);
    expect(res.json.data.conversation.assignedUserIds).toHaveLength(150);
    const count = await env.DB.prepare("select count(*) as n from channel_members where channel_id = ?").bind(res.json.data.conversation.id).first<{ n: number }>();
    expect(count!.n).toBe(150);
    // One unknown among 150 (in the second chunk) is still found.
    const unknown = [...ids, numericId()].map(Number);
    expectEnvelopeError(await withKey(key, "POST", "/chat/v1/conversations", { title: "x", type: "team", assignedUserIds: unknown }), 404, "/chat/v1/conversations");
  });
});

describe("sending as a publisher", () => {
  async function setup() {
    const { key } = await apiKey();
    const pub = await publisher("Alerts");
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const group = await createChannel(alice, { type: "group", name: "Ops", member_ids: [bob.id] });
    return { key, pub, alice, bob, group, path: `/chat/v1/conversations/${group.id}/message` };
  }

  it("delivers to /v1 readers and WebSocket subscribers like any message", async () => {
    const { key, pub, bob, group, path } = await setup();
    const { client } = await connect(group.id, { user: bob });
    const res = await withKey(key, "POST", path, { senderId: pub.id, text: "Disk almost full" });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ requestId: expect.any(String), data: { messageId: expect.stringMatching(/^\d{19}$/), conversationId: group.id } });
    const [message] = (await call("GET", `/v1/channels/${group.id}/messages`, { token: bob.token })).json.messages;
    expect(message).toMatchObject({ id: res.json.data.messageId, sender_id: `pub_${pub.id}`, sender_type: "publisher", sender_name: "Alerts", body: "Disk almost full" });
    expect((await client.expect("message")).data).toEqual(message);
    await settled(group.id); // counts trail the send by the directory queue (DESIGN §12)
    const listed = (await call("GET", "/v1/channels", { token: bob.token })).json.find((c: { id: string }) => c.id === group.id);
    expect(listed.unread_count).toBe(1);
  });

  it("posts into broadcast channels, honours Idempotency-Key, and validates text (422 at body.text)", async () => {
    const { key, pub, alice, bob } = await setup();
    const news = await createChannel(alice, { type: "group", name: "News", broadcast: true, member_ids: [bob.id] });
    const path = `/chat/v1/conversations/${news.id}/message`;
    const headers = { "Idempotency-Key": "alert-42" };
    const first = await withKey(key, "POST", path, { senderId: pub.id, text: "once" }, headers);
    const retry = await withKey(key, "POST", path, { senderId: pub.id, text: "once" }, headers);
    expect(retry.json.data.messageId).toBe(first.json.data.messageId);
    expect((await call("GET", `/v1/channels/${news.id}/messages`, { token: bob.token })).json.messages).toHaveLength(1);

    const long = await withKey(key, "POST", path, { senderId: pub.id, text: "x".repeat(1001) });
    expect(long.json).toEqual({ detail: [{ loc: ["body", "text"], msg: "String should have at most 1000 characters", type: "string_too_long" }] });
    expect((await withKey(key, "POST", path, { senderId: pub.id, text: "y".repeat(1000) })).status).toBe(200);
    expect((await withKey(key, "POST", path, { senderId: pub.id, text: "😀".repeat(1000) })).status).toBe(200); // characters, not UTF-16 units
    expect422(await withKey(key, "POST", path, { senderId: pub.id, text: "" }), ["body", "text"], "value_error");
    expect422(await withKey(key, "POST", path, { senderId: pub.id }), ["body", "text"], "missing");
    expect422(await withKey(key, "POST", path, { text: "x" }), ["body", "senderId"], "missing");
    expect422(await withKey(key, "POST", path, { senderId: "one", text: "x" }), ["body", "senderId"], "int_parsing");
    expect422(await withKey(key, "POST", path, { senderId: pub.id, text: 5 }), ["body", "text"], "string_type");
    expect((await withKey(key, "POST", path, { senderId: String(pub.id), text: "lax" })).status).toBe(200); // pydantic takes "12"
    expect422(await withKey(key, "POST", path, { senderId: pub.id, text: "x", attachments: [{ type: "video", fileId: "1" }] }), ["body", "attachments", 0], "union_tag_invalid");
    expect422(await withKey(key, "POST", path, { senderId: pub.id, text: "x", attachments: [{ fileId: "1" }] }), ["body", "attachments", 0], "union_tag_not_found");
    const malformed = await call("POST", path, { rawBody: "{", headers: { "X-API-KEY": key, "Content-Type": "application/json" } });
    expect(malformed.json).toEqual({ detail: [{ loc: ["body"], msg: "JSON decode error", type: "json_invalid" }] });
    expect((await call("POST", path, { rawBody: "x", headers: { "X-API-KEY": key, "Content-Type": "text/plain" } })).status).toBe(422);
  });

  it("refuses unknown or retired publishers, unknown conversations and private ones by id", async () => {
    const { key, pub, alice, bob, path } = await setup();
    expectEnvelopeError(await withKey(key, "POST", path, { senderId: 999999, text: "x" }), 404, path);
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    const dmPath = `/chat/v1/conversations/${dm.id}/message`;
    expectEnvelopeError(await withKey(key, "POST", dmPath, { senderId: pub.id, text: "x" }), 404, dmPath);
    const nowhere = "/chat/v1/conversations/1234567890123456789/message";
    expectEnvelopeError(await withKey(key, "POST", nowhere, { senderId: pub.id, text: "x" }), 404, nowhere);
    await admin("DELETE", `/admin/v1/publishers/${pub.id}`);
    expectEnvelopeError(await withKey(key, "POST", path, { senderId: pub.id, text: "x" }), 404, path);
  });

  it("sends private messages to integer user ids, into one DM per publisher and user, created on first use", async () => {
    const { key, pub } = await setup();
    const bob = await numericUser("Bob");
    const path = `/chat/v1/conversations/privateMessage/${bob.id}`;
    const first = await withKey(key, "POST", path, { senderId: pub.id, text: "Your payslip is ready" });
    const second = await withKey(key, "POST", path, { senderId: pub.id, text: "Reminder" });
    expect(first.status).toBe(200);
    expect(second.json.data.conversationId).toBe(first.json.data.conversationId);
    await settled(first.json.data.conversationId);
    const dm = (await call("GET", "/v1/channels", { token: bob.token })).json.find((c: { id: string }) => c.id === first.json.data.conversationId);
    expect(dm).toMatchObject({ type: "dm", other_user_id: `pub_${pub.id}`, other_user_name: "Alerts", unread_count: 2 });
    const unknown = `/chat/v1/conversations/privateMessage/${numericId()}`;
    expectEnvelopeError(await withKey(key, "POST", unknown, { senderId: pub.id, text: "x" }), 404, unknown);
    expect422(await withKey(key, "POST", `/chat/v1/conversations/privateMessage/${uniqueId()}`, { senderId: pub.id, text: "x" }), ["path", "userId"], "int_parsing");
    expect422(await withKey(key, "POST", `/chat/v1/conversations/privateMessage/pub_${pub.id}`, { senderId: pub.id, text: "x" }), ["path", "userId"], "int_parsing");
    await call("PUT", `/v1/users/me/blocks/pub_${pub.id}`, { token: bob.token });
    expectEnvelopeError(await withKey(key, "POST", path, { senderId: pub.id, text: "x" }), 403, path);
    const listed = await withKey(key, "GET", "/chat/v1/conversations?limit=100");
    expect(listed.json.data.conversations.some((c: { id: string }) => c.id === first.json.data.conversationId)).toBe(false);
  });
});

describe("files through the attachments API", () => {
  async function uploadFile(key: string, bytes: Uint8Array, fileName: string, fileTypeHint?: string) {
    const gen = await withKey(key, "POST", "/attachments/v1/files/generate-upload-url", { fileName, fileTypeHint, featureType: "chat" });
    expect(gen.status).toBe(200);
    const { fileId, uploadFileUrl } = gen.json.data;
    const put = await fetchUrl(uploadFileUrl, { method: "PUT", body: bytes, headers: { "Content-Length": String(bytes.byteLength) } });
    expect(put.status).toBe(200);
    const done = await withKey(key, "PUT", `/attachments/v1/files/complete-upload/${fileId}`);
    expect(done.status).toBe(200);
    return done.json.data as { fileId: string; fileUrl: string; fileName: string; fileType: string; fileSize: number };
  }

  it("uploads, completes and sends files; at most one non-image; declared types must match", async () => {
    const { key } = await apiKey();
    const pub = await publisher();
    const [alice, bob] = [await newUser(), await newUser()];
    const group = await createChannel(alice, { type: "group", name: "Docs", member_ids: [bob.id] });
    const png = await makePng(30, 20);
    const image = await uploadFile(key, png, "chart.png", "image/png");
    expect(image).toEqual({
      fileId: expect.any(String),
      fileUrl: expect.stringMatching(/^http:\/\/api\.test\/files\/\d{19}\/full\?exp=\d+&sig=/),
      uploadCompleted: true,
      fileType: "image/png",
      featureType: "chat",
      fileName: "chart.png",
      fileSize: png.byteLength,
      width: 30,
      height: 20,
    });
    expect((await withKey(key, "GET", `/attachments/v1/files/${image.fileId}`)).json.data).toMatchObject({ ...image, fileUrl: expect.any(String) });
    expect(new Uint8Array(await (await fetchUrl(image.fileUrl)).arrayBuffer())).toEqual(png);
    const pdf1 = await uploadFile(key, new TextEncoder().encode("%PDF one"), "a.pdf", "application/pdf");
    const pdf2 = await uploadFile(key, new TextEncoder().encode("%PDF two"), "b.pdf", "application/pdf");
    const path = `/chat/v1/conversations/${group.id}/message`;

    const twoFiles = await withKey(key, "POST", path, { senderId: pub.id, text: "x", attachments: [{ type: "file", fileId: pdf1.fileId }, { type: "file", fileId: pdf2.fileId }] });
    expect422(twoFiles, ["body", "attachments"], "value_error");
    const twoDeclaredImages = await withKey(key, "POST", path, { senderId: pub.id, text: "x", attachments: [{ type: "image", fileId: pdf1.fileId }, { type: "image", fileId: pdf2.fileId }] });
    expect422(twoDeclaredImages, ["body", "attachments"], "value_error");
    expect422(await withKey(key, "POST", path, { senderId: pub.id, text: "x", attachments: [{ type: "image", fileId: pdf1.fileId }] }), ["body", "attachments", 0, "type"], "value_error");
    expect422(await withKey(key, "POST", path, { senderId: pub.id, text: "x", attachments: [{ type: "file", fileId: pdf1.fileId }, { type: "file", fileId: pdf1.fileId }] }), ["body", "attachments", 1, "fileId"]);

    const sent = await withKey(key, "POST", path, { senderId: pub.id, text: "", attachments: [{ type: "image", fileId: image.fileId }, { type: "file", fileId: pdf1.fileId }] });
    expect(sent.status).toBe(200);
    const [message] = (await call("GET", `/v1/channels/${group.id}/messages`, { token: bob.token })).json.messages;
    expect(message.attachments.map((a: { filename: string }) => a.filename)).toEqual(["chart.png", "a.pdf"]);
    const url = await call("GET", `/v1/channels/${group.id}/messages/${message.id}/attachments/${pdf1.fileId}/url`, { token: bob.token });
    expect(new TextDecoder().decode(await (await fetchUrl(url.json.url)).arrayBuffer())).toBe("%PDF one");
  });

  it("validates featureType, keeps files private to the key that made them, and needs the bytes before completing", async () => {
    const { key } = await apiKey();
    const other = await apiKey();
    expect422(await withKey(key, "POST", "/attachments/v1/files/generate-upload-url", { fileName: "a", featureType: "feed" }), ["body", "featureType"], "enum");
    expect422(await withKey(key, "POST", "/attachments/v1/files/generate-upload-url", { fileName: "a", featureType: "users" }), ["body", "featureType"], "value_error");
    expect422(await withKey(key, "POST", "/attachments/v1/files/generate-upload-url", { featureType: "chat" }), ["body", "fileName"], "missing");
    const { fileId } = (await withKey(key, "POST", "/attachments/v1/files/generate-upload-url", { fileName: "a.txt", featureType: "chat" })).json.data;
    expect422(await withKey(key, "PUT", `/attachments/v1/files/complete-upload/${fileId}`), ["path", "fileId"], "value_error");
    const pending = (await withKey(key, "GET", `/attachments/v1/files/${fileId}`)).json.data;
    expect(pending).toMatchObject({ fileId, uploadCompleted: false, featureType: "chat", fileType: "application/octet-stream" });
    expect(pending.fileUrl).toBeUndefined();
    const path = `/attachments/v1/files/${fileId}`;
    expectEnvelopeError(await withKey(other.key, "GET", path), 404, path);
    const completePath = `/attachments/v1/files/complete-upload/${fileId}`;
    expectEnvelopeError(await withKey(other.key, "PUT", completePath), 404, completePath);
    expectEnvelopeError(await withKey(key, "GET", "/attachments/v1/files/not-an-id"), 404, "/attachments/v1/files/not-an-id");
  });

  it("makes time-limited download URLs (5 s to 24 h) for the caller's completed files", async () => {
    const { key } = await apiKey();
    const other = await apiKey();
    const png = await makePng(8, 8);
    const image = await uploadFile(key, png, "dot.png", "image/png");
    const path = "/attachments/v1/files/download-url";
    const res = await withKey(key, "POST", path, { fileUrl: image.fileUrl, expirationInSeconds: 60 });
    expect(res.json).toEqual({ requestId: expect.any(String), data: { url: expect.any(String), expiresInSeconds: 60 } });
    const exp = Number(new URL(res.json.data.url).searchParams.get("exp"));
    expect(Math.abs(exp - (Math.floor(Date.now() / 1000) + 60))).toBeLessThanOrEqual(2);
    expect(new Uint8Array(await (await fetchUrl(res.json.data.url)).arrayBuffer())).toEqual(png);
    expect((await withKey(key, "POST", path, { fileUrl: image.fileUrl })).json.data.expiresInSeconds).toBe(3600);
    const thumb = image.fileUrl.replace("/full?", "/128?");
    expect((await fetchUrl((await withKey(key, "POST", path, { fileUrl: thumb })).json.data.url)).headers.get("Content-Type")).toBe("image/webp");

    expect422(await withKey(key, "POST", path, { fileUrl: image.fileUrl, expirationInSeconds: 4 }), ["body", "expirationInSeconds"], "greater_than_equal");
    expect422(await withKey(key, "POST", path, { fileUrl: image.fileUrl, expirationInSeconds: 86_401 }), ["body", "expirationInSeconds"], "less_than_equal");
    expect422(await withKey(key, "POST", path, {}), ["body", "fileUrl"], "missing");
    expect422(await withKey(key, "POST", path, { fileUrl: "https://elsewhere.test/a.png" }), ["body", "fileUrl"], "value_error");
    expectEnvelopeError(await withKey(other.key, "POST", path, { fileUrl: image.fileUrl }), 404, path);
    const { fileId } = (await withKey(key, "POST", "/attachments/v1/files/generate-upload-url", { fileName: "later.txt", featureType: "chat" })).json.data;
    expect422(await withKey(key, "POST", path, { fileUrl: `http://api.test/files/${fileId}/full` }), ["body", "fileUrl"], "value_error");
  });
});
