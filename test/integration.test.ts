import { env } from "cloudflare:test";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { call, createChannel, expectError, fetchUrl, newUser, uniqueId } from "./helpers/api";
import { makePng } from "./helpers/images";
import { connect } from "./helpers/ws";

const admin = (method: string, path: string, body?: unknown) => call(method, path, { token: env.ADMIN_TOKEN, body });
const ALL = ["chat.read", "chat.write", "attachments.read", "attachments.write", "publishers.read"];

async function apiKey(scopes = ALL) {
  const res = await admin("POST", "/admin/v1/api-keys", { name: `key ${uniqueId()}`, scopes });
  expect(res.status).toBe(201);
  return res.json as { id: string; key: string; scopes: string[] };
}
async function publisher(name = "Alerts Bot") {
  const res = await admin("POST", "/admin/v1/publishers", { name, imageUrl: "https://example.com/bot.png" });
  expect(res.status).toBe(201);
  return res.json as { id: number; name: string; imageUrl: string };
}
const withKey = (key: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  call(method, path, { body, headers: { "X-API-KEY": key, ...headers } });

/** Connecteam's error envelope for non-validation errors. */
function expectEnvelopeError(res: { status: number; json: any }, status: number, path: string) {
  expect(res.status).toBe(status);
  expect(res.json).toEqual({ error: expect.any(String), path, request_id: expect.any(String) });
}

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
    expect((await admin("DELETE", `/admin/v1/api-keys/${created.id}`)).status).toBe(204);
    expectEnvelopeError(await withKey(created.key, "GET", "/chat/v1/conversations"), 401, "/chat/v1/conversations");
    expect((await admin("DELETE", `/admin/v1/api-keys/${created.id}`)).status).toBe(404);
    expectError(await admin("POST", "/admin/v1/api-keys", { name: "x", scopes: ["chat.admin"] }), 400, "VALIDATION_FAILED");
    expectError(await call("GET", "/admin/v1/api-keys"), 401, "AUTH_REQUIRED");
  });

  it("checks the scope of every route (403 without it) and refuses missing or unknown keys (401)", async () => {
    const readOnly = await apiKey(["chat.read"]);
    const pub = await publisher();
    const checks: [string, string, unknown?][] = [
      ["POST", "/chat/v1/conversations", { title: "x" }],
      ["POST", `/chat/v1/conversations/${"1".repeat(19)}/message`, { senderId: pub.id, text: "x" }],
      ["POST", "/chat/v1/conversations/privateMessage/someone", { senderId: pub.id, text: "x" }],
      ["POST", "/attachments/v1/files/generate-upload-url", { fileName: "a", featureType: "chat" }],
      ["PUT", "/attachments/v1/files/complete-upload/1", undefined],
      ["GET", "/attachments/v1/files/1", undefined],
      ["GET", "/publishers/v1/publishers", undefined],
    ];
    for (const [method, path, body] of checks) {
      expectEnvelopeError(await withKey(readOnly.key, method, path, body), 403, path);
      expectEnvelopeError(await call(method, path, { body }), 401, path);
      expectEnvelopeError(await withKey("ck_nope", method, path, body), 401, path);
    }
  });

  it("accepts an OAuth 2.0 bearer token with scopes", async () => {
    const exp = Math.floor(Date.now() / 1000) + 60;
    const scoped = await sign({ sub: uniqueId(), scope: "chat.read publishers.read", exp }, env.JWT_SECRET, "HS256");
    expect((await call("GET", "/chat/v1/conversations", { token: scoped })).status).toBe(200);
    expect((await call("GET", "/publishers/v1/publishers", { token: scoped })).status).toBe(200);
    expectEnvelopeError(await call("POST", "/chat/v1/conversations", { token: scoped, body: { title: "x" } }), 403, "/chat/v1/conversations");
    const bad = await sign({ sub: "x", scope: "chat.read", exp }, "wrong-secret", "HS256");
    expectEnvelopeError(await call("GET", "/chat/v1/conversations", { token: bad }), 401, "/chat/v1/conversations");
  });

  it("reports Connecteam's rate-limit headers and answers 429 past the per-key limit", async () => {
    const { key } = await apiKey(["chat.read"]);
    const first = await withKey(key, "GET", "/chat/v1/conversations?limit=1");
    expect(first.headers.get("x-ratelimit-minute-limit")).toBe("300");
    expect(Number(first.headers.get("x-ratelimit-minute-remaining"))).toBe(299);
    expect(Number(first.headers.get("x-ratelimit-minute-reset"))).toBeGreaterThan(0);
    let limited;
    for (let i = 0; i < 400 && !limited; i++) {
      const res = await withKey(key, "GET", "/chat/v1/conversations?limit=1");
      if (res.status === 429) limited = res;
    }
    expect(limited).toBeDefined();
    expect(limited!.json).toMatchObject({ error: expect.any(String), path: "/chat/v1/conversations" });
    expect(limited!.headers.get("x-ratelimit-minute-remaining")).toBe("0");
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
});

describe("conversations", () => {
  it("lists team chats and channels, never private ones, paging to the end", async () => {
    const { key } = await apiKey();
    const [alice, bob] = [await newUser(), await newUser()];
    const team = await createChannel(alice, { type: "group", name: "Team A" });
    const channel = await createChannel(alice, { type: "room", name: "Announcements", broadcast: true });
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    const seen: { id: string; title: string; type: string }[] = [];
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
    expect(seen).toContainEqual({ id: team.id, title: "Team A", type: "team" });
    expect(seen).toContainEqual({ id: channel.id, title: "Announcements", type: "channel" });
    expect(seen.some((c) => c.id === dm.id)).toBe(false);
    for (const q of ["limit=0", "limit=101", "offset=-1", "limit=x"]) {
      const res = await withKey(key, "GET", `/chat/v1/conversations?${q}`);
      expect(res.status).toBe(422);
      expect(res.json.detail[0]).toMatchObject({ loc: ["query", expect.any(String)], msg: expect.any(String), type: expect.any(String) });
    }
  });

  it("creates a conversation with members and admins; the first admin owns it", async () => {
    const { key } = await apiKey();
    const [lead, deputy, worker] = [await newUser(), await newUser(), await newUser()];
    const res = await withKey(key, "POST", "/chat/v1/conversations", { title: "Night shift", type: "channel", assignedUserIds: [worker.id], adminUserIds: [lead.id, deputy.id] });
    expect(res.status).toBe(200);
    const id = res.json.data.conversationId;
    const channel = await call("GET", `/v1/channels/${id}`, { token: worker.token });
    expect(channel.json).toMatchObject({ name: "Night shift", owner_id: lead.id, broadcast: true, type: "group" });
    const roles = Object.fromEntries((await call("GET", `/v1/channels/${id}/members`, { token: worker.token })).json.map((m: any) => [m.user_id, m.role]));
    expect(roles).toEqual({ [lead.id]: "owner", [deputy.id]: "admin", [worker.id]: "member" });
    const unknown = await withKey(key, "POST", "/chat/v1/conversations", { title: "x", assignedUserIds: [uniqueId()] });
    expectEnvelopeError(unknown, 404, "/chat/v1/conversations");
    const ownerless = await withKey(key, "POST", "/chat/v1/conversations", { title: "Ops", assignedUserIds: [worker.id] });
    expect((await call("GET", `/v1/channels/${ownerless.json.data.conversationId}`, { token: worker.token })).json.owner_id).toBeNull();
    expect((await withKey(key, "POST", "/chat/v1/conversations", { title: "" })).status).toBe(422);
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
    const listed = (await call("GET", "/v1/channels", { token: bob.token })).json.find((c: { id: string }) => c.id === group.id);
    expect(listed.unread_count).toBe(1);
  });

  it("posts into broadcast channels, honours Idempotency-Key, and validates text (422)", async () => {
    const { key, pub, alice, bob } = await setup();
    const news = await createChannel(alice, { type: "group", name: "News", broadcast: true, member_ids: [bob.id] });
    const path = `/chat/v1/conversations/${news.id}/message`;
    const headers = { "Idempotency-Key": "alert-42" };
    const first = await withKey(key, "POST", path, { senderId: pub.id, text: "once" }, headers);
    const retry = await withKey(key, "POST", path, { senderId: pub.id, text: "once" }, headers);
    expect(retry.json.data.messageId).toBe(first.json.data.messageId);
    expect((await call("GET", `/v1/channels/${news.id}/messages`, { token: bob.token })).json.messages).toHaveLength(1);

    const long = await withKey(key, "POST", path, { senderId: pub.id, text: "x".repeat(1001) });
    expect(long.status).toBe(422);
    expect(long.json.detail[0]).toMatchObject({ msg: expect.stringContaining("1000"), type: "chat_message_too_long" });
    expect((await withKey(key, "POST", path, { senderId: pub.id, text: "y".repeat(1000) })).status).toBe(200);
    expect((await withKey(key, "POST", path, { senderId: pub.id, text: "" })).status).toBe(422);
    const wrongType = await withKey(key, "POST", path, { senderId: "1", text: "x" });
    expect(wrongType.json.detail[0]).toMatchObject({ loc: ["body", "senderId"] });
    const malformed = await call("POST", path, { rawBody: "{", headers: { "X-API-KEY": key, "Content-Type": "application/json" } });
    expect(malformed.status).toBe(422);
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

  it("sends private messages into one DM per publisher and user, created on first use", async () => {
    const { key, pub, bob } = await setup();
    const path = `/chat/v1/conversations/privateMessage/${bob.id}`;
    const first = await withKey(key, "POST", path, { senderId: pub.id, text: "Your payslip is ready" });
    const second = await withKey(key, "POST", path, { senderId: pub.id, text: "Reminder" });
    expect(first.status).toBe(200);
    expect(second.json.data.conversationId).toBe(first.json.data.conversationId);
    const dm = (await call("GET", "/v1/channels", { token: bob.token })).json.find((c: { id: string }) => c.id === first.json.data.conversationId);
    expect(dm).toMatchObject({ type: "dm", other_user_id: `pub_${pub.id}`, other_user_name: "Alerts", unread_count: 2 });
    const unknown = `/chat/v1/conversations/privateMessage/${uniqueId()}`;
    expectEnvelopeError(await withKey(key, "POST", unknown, { senderId: pub.id, text: "x" }), 404, unknown);
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
    return done.json.data as { fileId: string; fileName: string; fileType: string; fileSize: number; status: string };
  }

  it("uploads, completes and sends files; at most one non-image; declared types must match", async () => {
    const { key } = await apiKey();
    const pub = await publisher();
    const [alice, bob] = [await newUser(), await newUser()];
    const group = await createChannel(alice, { type: "group", name: "Docs", member_ids: [bob.id] });
    const png = await makePng(30, 20);
    const image = await uploadFile(key, png, "chart.png", "image/png");
    expect(image).toEqual({ fileId: expect.any(String), fileName: "chart.png", fileType: "image/png", fileSize: png.byteLength, status: "completed", width: 30, height: 20 });
    expect((await withKey(key, "GET", `/attachments/v1/files/${image.fileId}`)).json.data).toEqual(image);
    const pdf1 = await uploadFile(key, new TextEncoder().encode("%PDF one"), "a.pdf", "application/pdf");
    const pdf2 = await uploadFile(key, new TextEncoder().encode("%PDF two"), "b.pdf", "application/pdf");
    const path = `/chat/v1/conversations/${group.id}/message`;

    const twoFiles = await withKey(key, "POST", path, { senderId: pub.id, text: "x", attachments: [{ type: "file", fileId: pdf1.fileId }, { type: "file", fileId: pdf2.fileId }] });
    expect(twoFiles.status).toBe(422);
    const mislabelled = await withKey(key, "POST", path, { senderId: pub.id, text: "x", attachments: [{ type: "image", fileId: pdf1.fileId }] });
    expect(mislabelled.status).toBe(422);
    expect(mislabelled.json.detail[0].loc).toEqual(["body", "attachments", 0, "type"]);

    const sent = await withKey(key, "POST", path, { senderId: pub.id, text: "Report", attachments: [{ type: "image", fileId: image.fileId }, { type: "file", fileId: pdf1.fileId }] });
    expect(sent.status).toBe(200);
    const [message] = (await call("GET", `/v1/channels/${group.id}/messages`, { token: bob.token })).json.messages;
    expect(message.attachments.map((a: { filename: string }) => a.filename)).toEqual(["chart.png", "a.pdf"]);
    const url = await call("GET", `/v1/channels/${group.id}/messages/${message.id}/attachments/${pdf1.fileId}/url`, { token: bob.token });
    expect(new TextDecoder().decode(await (await fetchUrl(url.json.url)).arrayBuffer())).toBe("%PDF one");
  });

  it("validates featureType, keeps files private to the key that made them, and needs the bytes before completing", async () => {
    const { key } = await apiKey();
    const other = await apiKey();
    expect((await withKey(key, "POST", "/attachments/v1/files/generate-upload-url", { fileName: "a", featureType: "feed" })).status).toBe(422);
    const { fileId } = (await withKey(key, "POST", "/attachments/v1/files/generate-upload-url", { fileName: "a.txt", featureType: "chat" })).json.data;
    const early = await withKey(key, "PUT", `/attachments/v1/files/complete-upload/${fileId}`);
    expect(early.status).toBe(422);
    expect((await withKey(key, "GET", `/attachments/v1/files/${fileId}`)).json.data.status).toBe("pending");
    const path = `/attachments/v1/files/${fileId}`;
    expectEnvelopeError(await withKey(other.key, "GET", path), 404, path);
    const completePath = `/attachments/v1/files/complete-upload/${fileId}`;
    expectEnvelopeError(await withKey(other.key, "PUT", completePath), 404, completePath);
  });
});

describe("OpenAPI", () => {
  it("documents the integration routes with their own security schemes", async () => {
    const doc = (await call("GET", "/openapi.json")).json;
    expect(doc.components.securitySchemes.apiKey).toEqual(expect.objectContaining({ type: "apiKey", in: "header", name: "X-API-KEY" }));
    for (const p of ["/chat/v1/conversations", "/chat/v1/conversations/{conversationId}/message", "/chat/v1/conversations/privateMessage/{userId}", "/attachments/v1/files/generate-upload-url", "/publishers/v1/publishers", "/admin/v1/api-keys", "/admin/v1/publishers"]) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    expect(doc.paths["/chat/v1/conversations"].get.security).toEqual([{ apiKey: [] }, { oauth2: [] }]);
  });
});
