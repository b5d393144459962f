import { env } from "cloudflare:test";
import { sign } from "hono/jwt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { verifyUserToken } from "../../src/platform/tokens";
import { call, expectError, newUser, uniqueId } from "../helpers/api";

const now = () => Math.floor(Date.now() / 1000);
const b64url = (obj: unknown) => btoa(JSON.stringify(obj)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");

describe("user tokens on /v1", () => {
  it("refuses a request without a token (401 AUTH_REQUIRED)", async () => {
    expectError(await call("GET", "/v1/channels"), 401, "AUTH_REQUIRED");
    expectError(await call("GET", "/v1/channels", { headers: { Authorization: "Basic abc" } }), 401, "AUTH_REQUIRED");
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
      expectError(await call("GET", "/v1/channels", { token }), 401, "AUTH_INVALID_TOKEN");
    }
  });

  it("refuses a token without a usable sub, or one claiming a publisher id", async () => {
    for (const sub of [undefined, 42, "", "has space", "pub_12345", "x".repeat(129)]) {
      const token = await sign({ sub, exp: now() + 60 }, env.JWT_SECRET, "HS256");
      expectError(await call("GET", "/v1/users/me", { token }), 401, "AUTH_INVALID_TOKEN");
    }
  });

  it("creates the user on first sight and renames it when the token's name changes", async () => {
    const sub = uniqueId();
    const first = await sign({ sub, name: "Ann", exp: now() + 60 }, env.JWT_SECRET, "HS256");
    expect((await call("GET", "/v1/users/me", { token: first })).json).toEqual({ id: sub, display_name: "Ann" });
    const renamed = await sign({ sub, name: "Annie", exp: now() + 60 }, env.JWT_SECRET, "HS256");
    expect((await call("GET", "/v1/users/me", { token: renamed })).json).toEqual({ id: sub, display_name: "Annie" });
    const row = await env.DB.prepare("select display_name from users where id = ?").bind(sub).first();
    expect(row).toEqual({ display_name: "Annie" });
  });

  it("writes nothing to D1 for auth once the user is known", async () => {
    const user = await newUser("Steady");
    const res = await call("GET", "/v1/users/me/blocks", { token: user.token });
    expect(res.status).toBe(200);
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

    await expect(verifyUserToken(await sign({ ...claims, aud: "other" }, privateJwk as never, "RS256"), oidcEnv)).rejects.toThrow();
    await expect(verifyUserToken(await sign({ ...claims, iss: "https://evil/" }, privateJwk as never, "RS256"), oidcEnv)).rejects.toThrow();
    await expect(verifyUserToken(await sign(claims, env.JWT_SECRET, "HS256"), oidcEnv)).rejects.toThrow();
    const otherKid = await sign(claims, { ...privateJwk, kid: "k2" } as never, "RS256");
    await expect(verifyUserToken(otherKid, oidcEnv)).rejects.toThrow();
  });
});

describe("dev login", () => {
  it("mints a token that works on /v1 (DEV_LOGIN=true in tests)", async () => {
    const sub = uniqueId();
    const res = await call("POST", "/v1/dev/token", { body: { sub, name: "Dev" } });
    expect(res.status).toBe(200);
    expect(res.json.expires_at).toBeGreaterThan(now());
    const me = await call("GET", "/v1/users/me", { token: res.json.token });
    expect(me.json).toEqual({ id: sub, display_name: "Dev" });
  });

  it("validates its body", async () => {
    expectError(await call("POST", "/v1/dev/token", { body: { sub: "a b" } }), 400, "VALIDATION_FAILED");
    expectError(await call("POST", "/v1/dev/token", { body: { sub: "pub_1" } }), 400, "VALIDATION_FAILED");
  });
});

describe("admin API", () => {
  it("needs ADMIN_TOKEN", async () => {
    const path = `/admin/v1/users/${uniqueId()}`;
    expectError(await call("PUT", path, { body: { display_name: "X" } }), 401, "AUTH_REQUIRED");
    expectError(await call("PUT", path, { token: "wrong", body: { display_name: "X" } }), 401, "AUTH_INVALID_TOKEN");
    const user = await newUser();
    expectError(await call("PUT", path, { token: user.token, body: { display_name: "X" } }), 401, "AUTH_INVALID_TOKEN");
  });

  it("provisions a user before first login, who then can be added to channels", async () => {
    const id = uniqueId("hr");
    const res = await call("PUT", `/admin/v1/users/${id}`, { token: env.ADMIN_TOKEN, body: { display_name: "New Hire" } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id, display_name: "New Hire", kind: "user" });
    expectError(
      await call("PUT", "/admin/v1/users/pub_7", { token: env.ADMIN_TOKEN, body: { display_name: "x" } }),
      400,
      "VALIDATION_FAILED",
    );
    expectError(await call("PUT", `/admin/v1/users/${id}`, { token: env.ADMIN_TOKEN, body: {} }), 400, "VALIDATION_FAILED");
  });
});
