import { env } from "cloudflare:test";
import { sign } from "hono/jwt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { verifyUserToken } from "../../src/platform/tokens";
import { expectError, expectStatus, newUser, uniqueId } from "../helpers/api";
import { api, invalid } from "../helpers/client";
import { freezeClock } from "../helpers/clock";

const now = () => Math.floor(Date.now() / 1000);
const b64url = (obj: unknown) => btoa(JSON.stringify(obj)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");

describe("user tokens on /v1", () => {
  it("refuses a request without a token (401 AUTH_REQUIRED)", async () => {
    await expectError(api().v1.channels.$get({ query: {} }), 401, "AUTH_REQUIRED");
    await expectError(api(undefined, { Authorization: "Basic abc" }).v1.channels.$get({ query: {} }), 401, "AUTH_REQUIRED");
  });

  it("refuses garbage, a wrong key, alg none, expiry and a missing exp (401 AUTH_INVALID_TOKEN)", async () => {
    const sub = uniqueId();
    const bad = [
      "not.a.jwt",
      await sign({ sub, exp: now() + 60 }, "some-other-secret", "HS256"),
      `${b64url({ alg: "none", typ: "JWT" })}.${b64url({ sub, exp: now() + 60 })}.`,
      await sign({ sub, exp: now() - 10 }, env.JWT_SECRET, "HS256"),
      await sign({ sub }, env.JWT_SECRET, "HS256"),
      await sign({ sub, exp: now() + 60 }, env.JWT_SECRET, "HS512"),
    ];
    for (const token of bad) {
      await expectError(api(token).v1.channels.$get({ query: {} }), 401, "AUTH_INVALID_TOKEN");
    }
  });

  it("refuses a token without a usable sub, or one claiming a publisher id", async () => {
    for (const sub of [undefined, 42, "", "has space", "pub_12345", "x".repeat(129)]) {
      const token = await sign({ sub, exp: now() + 60 }, env.JWT_SECRET, "HS256");
      await expectError(api(token).v1.users.me.$get(), 401, "AUTH_INVALID_TOKEN");
    }
  });

  it("creates the user on first sight and renames it when the token's name changes", async () => {
    const sub = uniqueId();
    const first = await sign({ sub, name: "Ann", exp: now() + 60 }, env.JWT_SECRET, "HS256");
    expect(await expectStatus(api(first).v1.users.me.$get(), 200)).toEqual({ id: sub, display_name: "Ann", dnd_until: null });
    const renamed = await sign({ sub, name: "Annie", exp: now() + 60 }, env.JWT_SECRET, "HS256");
    expect(await expectStatus(api(renamed).v1.users.me.$get(), 200)).toEqual({ id: sub, display_name: "Annie", dnd_until: null });
    const row = await env.DB.prepare("select display_name from users where id = ?").bind(sub).first();
    expect(row).toEqual({ display_name: "Annie" });
  });

  it("writes nothing to D1 for auth once the user is known", async () => {
    const user = await newUser("Steady");
    const res = await api(user.token).v1.users.me.blocks.$get({ query: {} });
    expect(await expectStatus(res, 200)).toEqual({ blocks: [], has_more: false, next_cursor: null });
    expect(res.headers.get("Server-Timing")).toContain('d1-rows-written;desc="0"');
  });
});

describe("JWKS verification (RS256 from an OIDC provider)", () => {
  afterEach(() => vi.restoreAllMocks());

  it("accepts a token signed by a key from JWT_JWKS_URL and refuses HS256 or unknown keys", async () => {
    const pair = (await crypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const publicJwk = { ...((await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey), kid: "k1", alg: "RS256" };
    const privateJwk = { ...((await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey), kid: "k1", alg: "RS256" };
    const jwksUrl = `https://idp.example/${uniqueId()}/jwks.json`;
    // The identity provider is outside our system: its JWKS endpoint is served here.
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input) =>
      String(input instanceof Request ? input.url : input) === jwksUrl
        ? Response.json({ keys: [publicJwk] })
        : new Response("not found", { status: 404 }),
    );
    const oidcEnv = { ...env, JWT_JWKS_URL: jwksUrl, JWT_ISSUER: "https://idp.example/", JWT_AUDIENCE: "chat" };
    const claims = { sub: "oidc-user", iss: "https://idp.example/", aud: "chat", exp: now() + 60 };

    const good = await sign(claims, privateJwk as never, "RS256");
    expect((await verifyUserToken(good, oidcEnv)).sub).toBe("oidc-user");

    // Each refused for its own reason (not just any exception).
    await expect(verifyUserToken(await sign({ ...claims, aud: "other" }, privateJwk as never, "RS256"), oidcEnv)).rejects.toMatchObject({ code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "aud" });
    await expect(verifyUserToken(await sign({ ...claims, iss: "https://evil/" }, privateJwk as never, "RS256"), oidcEnv)).rejects.toMatchObject({ code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "iss" });
    await expect(verifyUserToken(await sign(claims, env.JWT_SECRET, "HS256"), oidcEnv)).rejects.toMatchObject({ code: "ERR_JOSE_ALG_NOT_ALLOWED" });
    const otherKid = await sign(claims, { ...privateJwk, kid: "k2" } as never, "RS256");
    await expect(verifyUserToken(otherKid, oidcEnv)).rejects.toMatchObject({ code: "ERR_JWKS_NO_MATCHING_KEY" });
  });
});

describe("dev login", () => {
  it("mints a token that works on /v1 (DEV_LOGIN=true in tests)", async () => {
    const sub = uniqueId();
    const minted = await expectStatus(api().v1.dev.token.$post({ json: { sub, name: "Dev" } }), 200);
    expect(minted.expires_at).toBeGreaterThan(now());
    expect(await expectStatus(api(minted.token).v1.users.me.$get(), 200)).toEqual({ id: sub, display_name: "Dev", dnd_until: null });
  });

  it("validates its body", async () => {
    await expectError(api().v1.dev.token.$post({ json: { sub: "a b" } }), 400, "VALIDATION_FAILED");
    await expectError(api().v1.dev.token.$post({ json: { sub: "pub_1" } }), 400, "VALIDATION_FAILED");
  });
});

describe("admin API", () => {
  it("needs ADMIN_TOKEN", async () => {
    const userID = uniqueId();
    const provision = (token?: string) => api(token).admin.v1.users[":userID"].$put({ param: { userID }, json: { display_name: "X" } });
    await expectError(provision(), 401, "AUTH_REQUIRED");
    await expectError(provision("wrong"), 401, "AUTH_INVALID_TOKEN");
    const user = await newUser();
    await expectError(provision(user.token), 401, "AUTH_INVALID_TOKEN");
    expect(await env.DB.prepare("select id from users where id = ?").bind(userID).first()).toBeNull();
  });

  it("after 10 wrong tokens in a minute an address gets 429 for a minute, even with the right token; other addresses are unaffected", async () => {
    const attacker = "203.0.113.77";
    const from = (ip: string, token: string) => api(token, { "CF-Connecting-IP": ip }).admin.v1.shards.$get();
    for (let i = 0; i < 10; i++) await expectError(from(attacker, `guess-${i}`), 401, "AUTH_INVALID_TOKEN");
    const clock = freezeClock(); // the block is this isolate's; the binding keeps the real clock
    const blocked = await from(attacker, "guess-10");
    await expectError(blocked, 429, "RATE_LIMITED");
    expect(blocked.headers.get("Retry-After")).toBe("60");
    const right = await from(attacker, env.ADMIN_TOKEN);
    await expectError(right, 429, "RATE_LIMITED");
    expect(Number(right.headers.get("Retry-After"))).toBeGreaterThan(0);
    // Another address (here the 2001:db8:: documentation range) is not held back.
    await expectStatus(from("2001:db8::25", env.ADMIN_TOKEN), 200);
    // Once the minute has passed, the right token works again from the blocked address.
    clock.advance(60_000);
    await expectStatus(from(attacker, env.ADMIN_TOKEN), 200);
  });

  it("provisions a user before first login, who then can be added to channels", async () => {
    const id = uniqueId("hr");
    const users = api(env.ADMIN_TOKEN).admin.v1.users[":userID"];
    expect(await expectStatus(users.$put({ param: { userID: id }, json: { display_name: "New Hire" } }), 201)).toEqual({ id, display_name: "New Hire", kind: "user" });
    expect(await expectStatus(users.$put({ param: { userID: id }, json: { display_name: "New Hire" } }), 200)).toEqual({ id, display_name: "New Hire", kind: "user" });
    await expectError(users.$put({ param: { userID: "pub_7" }, json: { display_name: "x" } }), 400, "VALIDATION_FAILED");
    await expectError(users.$put({ param: { userID: id }, json: invalid({}) }), 400, "VALIDATION_FAILED");
    expect(await env.DB.prepare("select display_name from users where id = ?").bind(id).first()).toEqual({ display_name: "New Hire" });
  });
});
