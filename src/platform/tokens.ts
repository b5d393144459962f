import { sign, verify } from "hono/jwt";
import type { JWTPayload } from "hono/utils/jwt/types";
import type { Env } from "../env";

const ASYMMETRIC_ALGS = ["RS256", "ES256"] as const;
const JWKS_TTL_MS = 10 * 60 * 1000;

type Jwk = JsonWebKey & { kid?: string; alg?: string };
let jwksCache: { url: string; keys: Jwk[]; fetchedAt: number } | undefined;

/** The provider's keys, cached per isolate; refetched when stale or when a token names an unknown `kid`. */
async function jwksKey(url: string, kid: string): Promise<Jwk | undefined> {
  const fresh = jwksCache?.url === url && Date.now() - jwksCache.fetchedAt < JWKS_TTL_MS;
  let key = fresh ? jwksCache!.keys.find((k) => k.kid === kid) : undefined;
  if (!key) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`JWKS fetch failed: ${res.status}`);
    const { keys } = (await res.json()) as { keys?: Jwk[] };
    jwksCache = { url, keys: Array.isArray(keys) ? keys : [], fetchedAt: Date.now() };
    key = jwksCache.keys.find((k) => k.kid === kid);
  }
  return key;
}

function decodeHeader(token: string): { alg?: string; kid?: string } {
  const part = token.split(".")[0] ?? "";
  return JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/")));
}

/**
 * Verifies a user token: HS256 with JWT_SECRET, or RS256/ES256 against JWT_JWKS_URL when set.
 * `exp` is required; `iss`/`aud` are checked when configured. Throws on any failure.
 */
export async function verifyUserToken(token: string, env: Env): Promise<JWTPayload> {
  const claims = { iss: env.JWT_ISSUER || undefined, aud: env.JWT_AUDIENCE || undefined };
  let payload: JWTPayload;
  if (env.JWT_JWKS_URL) {
    const { alg, kid } = decodeHeader(token);
    if (!alg || !(ASYMMETRIC_ALGS as readonly string[]).includes(alg) || !kid) throw new Error("unsupported token header");
    const key = await jwksKey(env.JWT_JWKS_URL, kid);
    if (!key) throw new Error("unknown key id");
    payload = await verify(token, key, { alg: alg as (typeof ASYMMETRIC_ALGS)[number], ...claims });
  } else {
    payload = await verify(token, env.JWT_SECRET, { alg: "HS256", ...claims });
  }
  if (typeof payload.exp !== "number") throw new Error("exp claim required");
  return payload;
}

/** An HS256 user token (dev login, `npm run token`, tests). */
export async function signUserToken(secret: string, sub: string, name: string | undefined, ttlSeconds = 86_400) {
  const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
  const token = await sign({ sub, name, iat: exp - ttlSeconds, exp }, secret, "HS256");
  return { token, expires_at: exp };
}

/** Constant-time string comparison (admin token, signatures). */
export function safeEqual(a: string, b: string): boolean {
  const enc = new TextEncoder();
  const x = enc.encode(a);
  const y = enc.encode(b);
  if (x.byteLength !== y.byteLength) return false;
  return crypto.subtle.timingSafeEqual(x, y);
}

const TICKET_TTL_SECONDS = 60;

/** A WebSocket ticket: signed, names user and channel, lives 60 s (browsers cannot set headers). */
export async function signWsTicket(secret: string, userId: string, channelId: string) {
  const expires_at = Math.floor(Date.now() / 1000) + TICKET_TTL_SECONDS;
  const ticket = await sign({ sub: userId, ch: channelId, aud: "chat-ws", exp: expires_at }, secret, "HS256");
  return { ticket, expires_at };
}

/** The ticket's user, when the ticket is genuine, unexpired and for this channel. */
export async function verifyWsTicket(secret: string, ticket: string, channelId: string): Promise<string | undefined> {
  try {
    const payload = await verify(ticket, secret, { alg: "HS256", aud: "chat-ws" });
    return payload.ch === channelId && typeof payload.sub === "string" ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}
