import { env } from "cloudflare:test";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { verifyUserToken } from "../../src/platform/tokens";
import { uniqueId } from "../helpers/api";
import { api } from "../helpers/client";

const secret = () => new TextEncoder().encode(env.JWT_SECRET);
const inAMinute = () => Math.floor(Date.now() / 1000) + 60;
const hs256 = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setExpirationTime(inAMinute()).sign(secret());

describe("reserved ids and WWW-Authenticate", () => {
  it("refuses user tokens whose sub is a service principal's id (pub_, apikey_), whatever the case", async () => {
    for (const sub of ["pub_65", "apikey_1234567890123456789", "APIKEY_x", "Pub_1"]) {
      const res = await api(await hs256({ sub, scope: "chat.read chat.write" })).v1.users.me.$get();
      expect(res.status).toBe(401);
      expect(((await res.json()) as unknown as { error: { code: string } }).error.code).toBe("AUTH_INVALID_TOKEN");
    }
  });

  it("answers 401s with WWW-Authenticate: what to send, and why a token failed", async () => {
    const none = await api().v1.channels.$get({ query: {} });
    expect(none.status).toBe(401);
    expect(none.headers.get("WWW-Authenticate")).toBe('Bearer realm="chat"');
    const bad = await api("not.a.token").v1.channels.$get({ query: {} });
    expect(bad.status).toBe(401);
    expect(bad.headers.get("WWW-Authenticate")).toMatch(/^Bearer realm="chat", error="invalid_token"/);
  });

  it("refuses reserved ids in the dev login and in admin provisioning", async () => {
    const dev = await api().v1.dev.token.$post({ json: { sub: "apikey_1" } });
    expect(dev.status).toBe(400);
    const admin = await api(env.ADMIN_TOKEN).admin.v1.users[":userID"].$put({ param: { userID: "apikey_9" }, json: { display_name: "x" } });
    expect(admin.status).toBe(400);
  });
});

describe("JWKS (RS256/ES256 from an identity provider)", () => {
  afterEach(() => vi.restoreAllMocks());

  async function provider() {
    const { publicKey, privateKey } = await generateKeyPair("ES256");
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256" };
    const url = `https://idp.example/${uniqueId()}/jwks.json`;
    const fetches = { count: 0 };
    // The identity provider is outside our system: its JWKS endpoint is served here.
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      if (String(input instanceof Request ? input.url : input) !== url) return new Response("not found", { status: 404 });
      fetches.count += 1;
      return Response.json({ keys: [jwk] });
    });
    const sign = (kid: string, claims: Record<string, unknown> = {}) =>
      new SignJWT({ sub: "oidc-user", ...claims }).setProtectedHeader({ alg: "ES256", kid }).setExpirationTime(inAMinute()).sign(privateKey);
    return { oidcEnv: { ...env, JWT_JWKS_URL: url }, sign, fetches };
  }

  it("verifies ES256 tokens and fetches the key set once for many requests", async () => {
    const { oidcEnv, sign, fetches } = await provider();
    for (let i = 0; i < 5; i++) expect((await verifyUserToken(await sign("k1"), oidcEnv)).sub).toBe("oidc-user");
    expect(fetches.count).toBe(1);
  });

  it("does not refetch the key set for every unknown kid (cooldown), so forged kids cannot hammer the provider", async () => {
    const { oidcEnv, sign, fetches } = await provider();
    await verifyUserToken(await sign("k1"), oidcEnv);
    for (let i = 0; i < 20; i++) await expect(verifyUserToken(await sign(`forged-${i}`), oidcEnv)).rejects.toThrow();
    expect(fetches.count).toBeLessThanOrEqual(2);
  });

  it("refuses symmetric algorithms on the JWKS path, even with the right secret", async () => {
    const { oidcEnv } = await provider();
    await expect(verifyUserToken(await hs256({ sub: "x" }), oidcEnv)).rejects.toThrow();
  });
});
