import { type JWTPayload, type JWTVerifyOptions, SignJWT, createRemoteJWKSet, jwtVerify } from "jose";
import type { Env } from "../env";

const encoder = new TextEncoder();
/** JWKS keys are public keys: a symmetric algorithm there would let anyone holding the JWKS sign. */
const JWKS_ALGORITHMS = ["RS256", "ES256"];

/**
 * One remote key set per JWKS URL and isolate. jose caches the keys (10 minutes here) and refetches
 * on an unknown `kid` at most once per cooldown (30 s), so forged `kid`s cannot make us hammer
 * the identity provider.
 */
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
function keySet(url: string) {
  let set = keySets.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000, timeoutDuration: 5_000 });
    keySets.set(url, set);
  }
  return set;
}

/**
 * Verifies a user token: HS256 with JWT_SECRET, or RS256/ES256 against JWT_JWKS_URL when set.
 * `exp` is required; `iss`/`aud` are checked when configured. Throws on any failure.
 */
export async function verifyUserToken(token: string, env: Env): Promise<JWTPayload> {
  const options: JWTVerifyOptions = {
    issuer: env.JWT_ISSUER || undefined,
    audience: env.JWT_AUDIENCE || undefined,
    requiredClaims: ["exp"],
  };
  const { payload } = env.JWT_JWKS_URL
    ? await jwtVerify(token, keySet(env.JWT_JWKS_URL), { ...options, algorithms: JWKS_ALGORITHMS })
    : await jwtVerify(token, encoder.encode(env.JWT_SECRET), { ...options, algorithms: ["HS256"] });
  return payload;
}

/** An HS256 user token (dev login, `npm run token`, tests). */
export async function signUserToken(secret: string, sub: string, name: string | undefined, ttlSeconds = 86_400) {
  const iat = Math.floor(Date.now() / 1000);
  const expires_at = iat + ttlSeconds;
  const claims = name === undefined ? {} : { name };
  const token = await new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setSubject(sub).setIssuedAt(iat).setExpirationTime(expires_at).sign(encoder.encode(secret));
  return { token, expires_at };
}

/** Constant-time string comparison (admin token, signatures). */
export function safeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  if (x.byteLength !== y.byteLength) return false;
  return crypto.subtle.timingSafeEqual(x, y);
}

const TICKET_TTL_SECONDS = 60;
const TICKET_AUDIENCE = "chat-ws";

/** A WebSocket ticket: signed, names user and channel, lives 60 s (browsers cannot set headers). */
export async function signWsTicket(secret: string, userId: string, channelId: string) {
  const expires_at = Math.floor(Date.now() / 1000) + TICKET_TTL_SECONDS;
  const ticket = await new SignJWT({ ch: channelId })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(userId)
    .setJti(crypto.randomUUID())
    .setAudience(TICKET_AUDIENCE)
    .setExpirationTime(expires_at)
    .sign(encoder.encode(secret));
  return { ticket, expires_at };
}

/** A verified ticket: its user, and its id and expiry (the room or hub that takes it lets it open one socket). */
export interface WsTicket {
  userId: string;
  id: string;
  expiresAt: number;
}

/** The ticket, when it is genuine, unexpired and for this channel. */
export async function verifyWsTicket(secret: string, ticket: string, channelId: string): Promise<WsTicket | undefined> {
  try {
    const { payload } = await jwtVerify(ticket, encoder.encode(secret), { algorithms: ["HS256"], audience: TICKET_AUDIENCE, requiredClaims: ["jti", "exp"] });
    if (payload.ch !== channelId || typeof payload.sub !== "string") return undefined;
    return { userId: payload.sub, id: payload.jti!, expiresAt: payload.exp! };
  } catch {
    return undefined;
  }
}
