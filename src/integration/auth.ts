import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { authenticateAndCount, type Credential, type Usage, USAGE_LIMITS } from "./integration.queries";
import type { AppEnv, Principal } from "../env";

export type { Principal };
import { ApiError } from "../platform/errors";
import { failedAuthGuard } from "../platform/failed-auth";
import type { Scope } from "./scopes";

export { SCOPES, type Scope } from "./scopes";

/**
 * Who is calling the integration API: always an API key, presented as `X-API-KEY` or through an
 * OAuth 2.0 access token issued for it by POST /oauth/v1/token. User JWTs are never accepted here.
 */

export async function sha256Hex(text: string) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export const hashApiKey = sha256Hex;

/** `<prefix>` + 32 random bytes, base64url: API keys are `ck_…`, access tokens `ct_…`. */
export function randomSecret(prefix: "ck_" | "ct_") {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `${prefix}${btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}

/** Anything else cannot be one of ours, and is refused without a D1 read. */
export const API_KEY_FORMAT = /^ck_[A-Za-z0-9_-]{43}$/;
export const TOKEN_FORMAT = /^ct_[A-Za-z0-9_-]{43}$/;

const REALM = 'realm="integration-api"';

/** 401 with the challenge RFC 7235 requires (RFC 6750 parameters for a bad bearer token). */
export const unauthorized = (message: string, error?: "invalid_token" | "invalid_request") =>
  new ApiError("AUTH_INVALID_TOKEN", message, undefined, {
    "WWW-Authenticate": error ? `Bearer ${REALM}, error="${error}", error_description="${message}"` : `Bearer ${REALM}`,
  });

// ---- failed credentials, per client address ----------------------------------------------------

/**
 * Failed integration credentials (those that cost a D1 read) on the INTEGRATION_AUTH_LIMITER
 * binding: past its limit the address is refused for a minute before any D1 read, so guessing
 * keys, secrets or tokens costs bounded reads.
 */
const guessing = failedAuthGuard((env) => env.INTEGRATION_AUTH_LIMITER);

// ---- rate-limit headers ------------------------------------------------------------------------

/** Connecteam's `x-ratelimit-*` headers; resets are UTC epoch seconds (end of the minute / day). */
export function rateLimitHeaders(usage: Usage): Record<string, string> {
  return {
    "x-ratelimit-minute-limit": String(USAGE_LIMITS.minute),
    "x-ratelimit-minute-remaining": String(Math.max(0, USAGE_LIMITS.minute - usage.minuteCount)),
    "x-ratelimit-minute-reset": String((usage.minute + 1) * 60),
    "x-ratelimit-day-limit": String(USAGE_LIMITS.day),
    "x-ratelimit-day-remaining": String(Math.max(0, USAGE_LIMITS.day - usage.dayCount)),
    "x-ratelimit-day-reset": String((usage.day + 1) * 86_400),
  };
}

/** 429 for a key past its minute or day, with the headers and a Retry-After to the window's end. */
function overLimit(usage: Usage) {
  const headers = rateLimitHeaders(usage);
  const dayOver = usage.dayCount >= USAGE_LIMITS.day;
  const reset = Number(dayOver ? headers["x-ratelimit-day-reset"] : headers["x-ratelimit-minute-reset"]);
  return new ApiError(
    "RATE_LIMITED",
    dayOver ? "Daily request limit reached for this API key" : "Per-minute request limit reached for this API key",
    undefined,
    { ...headers, "Retry-After": String(Math.max(1, reset - Math.floor(Date.now() / 1000))) },
  );
}

/**
 * Genuine credentials that can no longer act (revoked keys, their secrets, expired tokens), as
 * `kind:hash`: they never come back, so this isolate refuses them without reading D1 again.
 */
const dead = new Set<string>();
const credentialKey = (cred: Credential) => `${cred.kind}:${cred.kind === "client" ? `${cred.keyId}:` : ""}${cred.hash}`;

/**
 * Proves a credential and counts the request for its key: one D1 round trip. Throws 401 for a
 * credential that matches nothing (a guess: counted against the address) or one that is dead
 * (revoked or expired: not a guess, so a client whose token just expired is not blocked, and
 * remembered, so repeating it costs no D1 read), or 429 (address blocked, or key over a limit).
 */
export async function authenticateCredential(c: Context<AppEnv>, cred: Credential, invalid: () => ApiError) {
  guessing.refuseBlocked(c);
  if (dead.has(credentialKey(cred))) throw invalid();
  const found = await authenticateAndCount(c.get("db"), cred, Date.now());
  if (found === "unknown") throw await guessing.failed(c, invalid());
  if (found === "dead") {
    if (dead.size >= 10_000) dead.clear();
    dead.add(credentialKey(cred));
    throw invalid();
  }
  const headers = rateLimitHeaders(found.usage);
  if (!found.counted) throw overLimit(found.usage);
  return { ...found, headers };
}

/** The request's credential: `X-API-KEY`, or `Authorization: Bearer` with an access token. */
async function authenticate(c: Context<AppEnv>): Promise<Principal> {
  const apiKey = c.req.header("X-API-KEY");
  const authorization = c.req.header("Authorization");
  let cred: Credential;
  let via: Principal["via"];
  let invalid: () => ApiError;
  if (apiKey !== undefined) {
    invalid = () => unauthorized("Invalid or revoked API key");
    if (!API_KEY_FORMAT.test(apiKey.trim())) throw invalid();
    cred = { kind: "apiKey", hash: await sha256Hex(apiKey.trim()) };
    via = "apiKey";
  } else if (authorization !== undefined) {
    const token = authorization.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
    if (!token) throw unauthorized("Send X-API-KEY, or Authorization: Bearer <access token from POST /oauth/v1/token>", "invalid_request");
    invalid = () => unauthorized("The access token is invalid, expired or revoked", "invalid_token");
    // User JWTs (and anything else not issued by /oauth/v1/token) end here, whatever they claim.
    if (!TOKEN_FORMAT.test(token)) throw invalid();
    cred = { kind: "token", hash: await sha256Hex(token) };
    via = "oauth";
  } else {
    throw unauthorized("Send X-API-KEY, or Authorization: Bearer <access token from POST /oauth/v1/token>");
  }
  const found = await authenticateCredential(c, cred, invalid);
  // Every later response of this request (errors included) reports the key's limits.
  for (const [name, value] of Object.entries(found.headers)) c.header(name, value);
  return { id: `apikey_${found.keyId}`, keyId: found.keyId, scopes: found.scopes, via };
}

export const scopeMissing = (scope: string, principal: Principal) =>
  new ApiError(
    "AUTH_SCOPE_MISSING",
    `This credential lacks the ${scope} scope`,
    undefined,
    principal.via === "oauth" ? { "WWW-Authenticate": `Bearer ${REALM}, error="insufficient_scope", scope="${scope}"` } : undefined,
  );

/** Authenticates (once per request), counts the request for its key, and checks `scope`. */
export const requireScope = (scope: Scope) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const principal = c.get("principal") ?? (await authenticate(c));
    c.set("principal", principal);
    if (!principal.scopes.includes(scope)) throw scopeMissing(scope, principal);
    await next();
  });
