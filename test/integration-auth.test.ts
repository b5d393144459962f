import { env } from "cloudflare:test";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { signUserToken } from "../src/platform/tokens";
import { call, createChannel, expectError, newUser } from "./helpers/api";
import {
  accessToken,
  apiKey,
  admin,
  basic,
  expectEnvelopeError,
  numericUser,
  publisher,
  tokenRequest,
  withKey,
  withToken,
} from "./helpers/integration";

const sha256 = async (text: string) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))].map((b) => b.toString(16).padStart(2, "0")).join("");

let ipCounter = 0;
/** A fresh client address per test: the failed-credential limiter counts per address. */
const freshIp = () => `198.51.100.${++ipCounter}`;

/** Every operation of the integration API, with a body that would succeed for a capable caller. */
async function everyRoute() {
  const pub = await publisher();
  const user = await numericUser();
  const alice = await newUser();
  const group = await createChannel(alice, { type: "group", name: "Ops" });
  const key = await apiKey();
  const { fileId } = (await withKey(key.key, "POST", "/attachments/v1/files/generate-upload-url", { fileName: "a.txt", featureType: "chat" })).json.data;
  const routes: [string, string, unknown?][] = [
    ["GET", "/chat/v1/conversations"],
    ["POST", "/chat/v1/conversations", { title: "x", type: "team", assignedUserIds: [Number(user.id)] }],
    ["POST", `/chat/v1/conversations/${group.id}/message`, { senderId: pub.id, text: "x" }],
    ["POST", `/chat/v1/conversations/privateMessage/${user.id}`, { senderId: pub.id, text: "x" }],
    ["POST", "/attachments/v1/files/generate-upload-url", { fileName: "a", featureType: "chat" }],
    ["PUT", `/attachments/v1/files/complete-upload/${fileId}`],
    ["GET", `/attachments/v1/files/${fileId}`],
    ["POST", "/attachments/v1/files/download-url", { fileUrl: `http://api.test/files/${fileId}/full` }],
    ["GET", "/publishers/v1/publishers"],
    ["POST", "/settings/v1/webhooks", { name: "x", url: "https://hooks.example.com/x", featureType: "chat", eventTypes: ["message_created"] }],
    ["GET", "/settings/v1/webhooks"],
    ["GET", "/settings/v1/webhooks/1"],
    ["PUT", "/settings/v1/webhooks/1", { name: "y" }],
    ["DELETE", "/settings/v1/webhooks/1"],
  ];
  return { key, pub, fileId, routes };
}

describe("the trust boundary: user tokens never act on the integration API", () => {
  it("refuses user JWTs (even scoped, even as pub_<n> or apikey_<id>) on every route with 401 and WWW-Authenticate", async () => {
    const { key, pub, routes } = await everyRoute();
    const exp = Math.floor(Date.now() / 1000) + 600;
    const scope = "chat.read chat.write attachments.read attachments.write publishers.read";
    const forged = [
      await sign({ sub: `pub_${pub.id}`, scope, exp }, env.JWT_SECRET, "HS256"),
      await sign({ sub: `apikey_${key.id}`, scope, exp }, env.JWT_SECRET, "HS256"),
      await sign({ sub: `apikey_${key.id}`, scope: scope.split(" "), aud: "integration", exp }, env.JWT_SECRET, "HS256"),
      await sign({ sub: "65", name: "Someone", scope, exp }, env.JWT_SECRET, "HS256"),
      (await signUserToken(env.JWT_SECRET, "12345", "A user")).token,
    ];
    for (const token of forged) {
      for (const [method, path, body] of routes) {
        const res = await withToken(token, method, path, body);
        expectEnvelopeError(res, 401, path);
        expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer realm="integration-api", error="invalid_token"/);
      }
    }
  });

  it("does not let a user JWT with sub apikey_<id> read or use that key's uploads through /v1 either", async () => {
    const key = await apiKey();
    const { token } = await signUserToken(env.JWT_SECRET, `apikey_${key.id}`, "Impostor");
    expectError(await call("GET", "/v1/users/me", { token }), 401, "AUTH_INVALID_TOKEN");
    const pubToken = (await signUserToken(env.JWT_SECRET, "pub_1", "Impostor")).token;
    expectError(await call("GET", "/v1/users/me", { token: pubToken }), 401, "AUTH_INVALID_TOKEN");
  });

  it("refuses the admin token and malformed Authorization headers", async () => {
    for (const authorization of [`Bearer ${env.ADMIN_TOKEN}`, "Bearer", "Basic abc", "Bearer ct_short", `Bearer ct_${"A".repeat(43)}`]) {
      const res = await call("GET", "/chat/v1/conversations", { headers: { Authorization: authorization, "CF-Connecting-IP": freshIp() } });
      expectEnvelopeError(res, 401, "/chat/v1/conversations");
      expect(res.headers.get("WWW-Authenticate")).toContain('Bearer realm="integration-api"');
    }
  });
});

describe("POST /oauth/v1/token (client credentials)", () => {
  it("issues an opaque, hashed, 1-hour Bearer token bound to the key: its scopes and its files", async () => {
    const key = await apiKey(["chat.read", "attachments.read", "attachments.write"]);
    const res = await tokenRequest(basic(key.id, key.key));
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({ access_token: expect.stringMatching(/^ct_[\w-]{43}$/), token_type: "bearer", expires_in: 3600, scope: "chat.read attachments.read attachments.write" });
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const token = res.json.access_token as string;
    const row = await env.DB.prepare("select key_id, expires_at, created_at from oauth_tokens where token_hash = ?").bind(await sha256(token)).first<{ key_id: string; expires_at: number; created_at: number }>();
    expect(row).toMatchObject({ key_id: key.id });
    expect(row!.expires_at - row!.created_at).toBe(3_600_000);
    expect(await env.DB.prepare("select count(*) as n from oauth_tokens where token_hash = ?").bind(token).first("n")).toBe(0);

    const listed = await withToken(token, "GET", "/chat/v1/conversations");
    expect(listed.status).toBe(200);
    expect(listed.headers.get("x-ratelimit-minute-limit")).toBe("300");
    const denied = await withToken(token, "POST", "/chat/v1/conversations", { title: "x", type: "team", assignedUserIds: [1] });
    expectEnvelopeError(denied, 403, "/chat/v1/conversations");
    expect(denied.headers.get("WWW-Authenticate")).toBe('Bearer realm="integration-api", error="insufficient_scope", scope="chat.write"');

    // Files belong to the key: uploaded with the token, visible with the key, and the other way round.
    const viaToken = (await withToken(token, "POST", "/attachments/v1/files/generate-upload-url", { fileName: "t.txt", featureType: "chat" })).json.data.fileId;
    const viaKey = (await withKey(key.key, "POST", "/attachments/v1/files/generate-upload-url", { fileName: "k.txt", featureType: "chat" })).json.data.fileId;
    expect((await withKey(key.key, "GET", `/attachments/v1/files/${viaToken}`)).json.data.fileName).toBe("t.txt");
    expect((await withToken(token, "GET", `/attachments/v1/files/${viaKey}`)).json.data.fileName).toBe("k.txt");
    const stranger = await accessToken(await apiKey());
    expectEnvelopeError(await withToken(stranger.access_token, "GET", `/attachments/v1/files/${viaKey}`), 404, `/attachments/v1/files/${viaKey}`);
  });

  it("sends messages as a publisher with a token, and counts the token's requests with its key", async () => {
    const key = await apiKey();
    const { access_token } = await accessToken(key);
    const pub = await publisher();
    const bob = await numericUser();
    const sent = await withToken(access_token, "POST", `/chat/v1/conversations/privateMessage/${bob.id}`, { senderId: pub.id, text: "hi" });
    expect(sent.status).toBe(200);
    const viaKey = await withKey(key.key, "GET", "/publishers/v1/publishers");
    // token request + send + this one
    expect(viaKey.headers.get("x-ratelimit-day-remaining")).toBe("9997");
  });

  it("grants only scopes the key has: a narrower scope on request, 403 invalid_scope beyond", async () => {
    const key = await apiKey(["chat.read", "chat.write"]);
    const narrow = await accessToken(key, "chat.read");
    expect(narrow.scope).toBe("chat.read");
    expect((await withToken(narrow.access_token, "GET", "/chat/v1/conversations")).status).toBe(200);
    expectEnvelopeError(await withToken(narrow.access_token, "POST", "/chat/v1/conversations", { title: "x", type: "team" }), 403, "/chat/v1/conversations");
    for (const scope of ["publishers.read", "chat.read users.read", "chat.delete"]) {
      const res = await tokenRequest(basic(key.id, key.key), `grant_type=client_credentials&scope=${encodeURIComponent(scope)}`);
      expect(res.status).toBe(403);
      expect(res.json).toEqual({ error: "invalid_scope", error_description: expect.any(String) });
    }
  });

  it("answers RFC 6749 errors: invalid_client (401, WWW-Authenticate: Basic), unsupported_grant_type and invalid_request (400)", async () => {
    const key = await apiKey(["chat.read"]);
    const ip = { "CF-Connecting-IP": freshIp() };
    const invalidClient = async (authorization: string | undefined) => {
      const res = await tokenRequest(authorization, "grant_type=client_credentials", ip);
      expect(res.status, res.text).toBe(401);
      expect(res.json).toEqual({ error: "invalid_client", error_description: expect.any(String) });
      expect(res.headers.get("WWW-Authenticate")).toBe('Basic realm="oauth", charset="UTF-8"');
    };
    await invalidClient(undefined);
    await invalidClient(basic(key.id, `ck_${"x".repeat(43)}`));
    await invalidClient(basic("1234567890123456789", key.key));
    await invalidClient(basic(key.id, "not-a-key"));
    await invalidClient(`Bearer ${key.key}`);
    await invalidClient("Basic !!!");
    // A user JWT is no client secret either.
    await invalidClient(basic(key.id, (await signUserToken(env.JWT_SECRET, `apikey_${key.id}`, "x")).token));

    const grant = await tokenRequest(basic(key.id, key.key), "grant_type=password&username=a&password=b");
    expect(grant.status).toBe(400);
    expect(grant.json).toEqual({ error: "unsupported_grant_type", error_description: expect.any(String) });
    const badRequests: [string | undefined, Record<string, string>][] = [
      ['{"grant_type":"client_credentials"}', { "Content-Type": "application/json" }],
      ["grant_type=client_credentials&grant_type=client_credentials", {}],
      [`grant_type=client_credentials&client_secret=${key.key}`, {}],
      ["grant_type=client_credentials&client_id=1234567890123456789", {}],
    ];
    for (const [form, headers] of badRequests) {
      const res = await tokenRequest(basic(key.id, key.key), form, headers);
      expect(res.status, form).toBe(400);
      expect(res.json).toEqual({ error: "invalid_request", error_description: expect.any(String) });
    }
    // The reference makes client_credentials the default grant type; client_id may repeat the Basic user.
    expect((await tokenRequest(basic(key.id, key.key), "")).status).toBe(200);
    expect((await tokenRequest(basic(key.id, key.key), `grant_type=client_credentials&client_id=${key.id}`)).status).toBe(200);
    // RFC 6749 2.3.1: id and secret are form-encoded inside Basic.
    expect((await tokenRequest(`Basic ${btoa(`${key.id}:${encodeURIComponent(key.key)}`)}`)).status).toBe(200);
  });

  it("revoking the key kills its tokens on the very next request, and a revoked key gets no new token", async () => {
    const key = await apiKey(["chat.read"]);
    const { access_token } = await accessToken(key);
    expect((await withToken(access_token, "GET", "/chat/v1/conversations")).status).toBe(200);
    expect((await admin("DELETE", `/admin/v1/api-keys/${key.id}`)).status).toBe(204);
    const after = await withToken(access_token, "GET", "/chat/v1/conversations", undefined, { "CF-Connecting-IP": freshIp() });
    expectEnvelopeError(after, 401, "/chat/v1/conversations");
    expect(after.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
    expect((await tokenRequest(basic(key.id, key.key), undefined, { "CF-Connecting-IP": freshIp() })).status).toBe(401);
  });

  it("refuses an expired token, and a key's expired tokens are swept when it gets a new one", async () => {
    const key = await apiKey(["chat.read"]);
    const old = await accessToken(key);
    await env.DB.prepare("update oauth_tokens set expires_at = ? where token_hash = ?").bind(Date.now() - 1, await sha256(old.access_token)).run();
    expectEnvelopeError(await withToken(old.access_token, "GET", "/chat/v1/conversations", undefined, { "CF-Connecting-IP": freshIp() }), 401, "/chat/v1/conversations");
    await accessToken(key);
    expect(await env.DB.prepare("select count(*) as n from oauth_tokens where key_id = ?").bind(key.id).first("n")).toBe(1);
  });
});

describe("guessing credentials is rate-limited per client address", () => {
  it("does not count genuine but dead credentials (expired token, revoked key) as guesses; repeating them costs no D1 read", async () => {
    const key = await apiKey(["chat.read"]);
    const revoked = await apiKey(["chat.read"]);
    const { access_token } = await accessToken(key);
    const { access_token: orphan } = await accessToken(revoked);
    await env.DB.prepare("update oauth_tokens set expires_at = ? where token_hash = ?").bind(Date.now() - 1, await sha256(access_token)).run();
    await admin("DELETE", `/admin/v1/api-keys/${revoked.id}`);
    const client = { "CF-Connecting-IP": freshIp() };
    for (let i = 0; i < 15; i++) {
      for (const res of [
        await withToken(access_token, "GET", "/chat/v1/conversations", undefined, client),
        await withToken(orphan, "GET", "/chat/v1/conversations", undefined, client),
        await withKey(revoked.key, "GET", "/chat/v1/conversations", undefined, client),
        await tokenRequest(basic(revoked.id, revoked.key), undefined, client),
      ]) {
        expect(res.status).toBe(401);
        if (i > 0) expect(res.headers.get("Server-Timing")).toContain('desc="0 queries"');
      }
    }
    // The address is not blocked: a fresh token for the live key works from it.
    const fresh = await tokenRequest(basic(key.id, key.key), undefined, client);
    expect(fresh.status).toBe(200);
    expect((await withToken(fresh.json.access_token, "GET", "/chat/v1/conversations", undefined, client)).status).toBe(200);
  });

  const wrongKey = () => `ck_${crypto.randomUUID().replace(/-/g, "").padEnd(43, "x")}`;

  it("after 10 failed API keys, secrets or tokens in a minute the address gets 429 without any D1 read; others are unaffected", async () => {
    const key = await apiKey(["chat.read"]);
    const attacker = { "CF-Connecting-IP": freshIp() };
    const attempts = [
      () => withKey(wrongKey(), "GET", "/chat/v1/conversations", undefined, attacker),
      () => tokenRequest(basic(key.id, wrongKey()), undefined, attacker),
      () => withToken(`ct_${"B".repeat(43)}`, "GET", "/publishers/v1/publishers", undefined, attacker),
    ];
    for (let i = 0; i < 10; i++) expect((await attempts[i % 3]!()).status).toBe(401);
    const blocked = await withKey(wrongKey(), "GET", "/chat/v1/conversations", undefined, attacker);
    expectEnvelopeError(blocked, 429, "/chat/v1/conversations");
    expect(Number(blocked.headers.get("Retry-After"))).toBeGreaterThan(0);
    // Now refused before D1: the guess costs no query at all.
    const again = await withKey(wrongKey(), "GET", "/chat/v1/conversations", undefined, attacker);
    expect(again.status).toBe(429);
    expect(again.headers.get("Server-Timing")).toContain('desc="0 queries"');
    const oauth = await tokenRequest(basic(key.id, key.key), undefined, attacker);
    expect(oauth.status).toBe(429);
    expect(oauth.json).toEqual({ error: "rate_limited", error_description: expect.any(String) });
    // Even the right key, from that address, waits; from another address it works.
    expect((await withKey(key.key, "GET", "/chat/v1/conversations", undefined, attacker)).status).toBe(429);
    expect((await withKey(key.key, "GET", "/chat/v1/conversations", undefined, { "CF-Connecting-IP": freshIp() })).status).toBe(200);
  });

  it("does not count malformed credentials (refused without a D1 read) or successful ones", async () => {
    const key = await apiKey(["chat.read"]);
    const client = { "CF-Connecting-IP": freshIp() };
    const jwt = (await signUserToken(env.JWT_SECRET, "alice", "Alice")).token;
    for (let i = 0; i < 15; i++) {
      const res = await withToken(jwt, "GET", "/chat/v1/conversations", undefined, client);
      expect(res.status).toBe(401);
      expect(res.headers.get("Server-Timing")).toContain('desc="0 queries"');
      expect((await withKey("ck_short", "GET", "/chat/v1/conversations", undefined, client)).status).toBe(401);
      expect((await withKey(key.key, "GET", "/chat/v1/conversations", undefined, client)).status).toBe(200);
    }
  });
});
