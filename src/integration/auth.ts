import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { findLiveKey, touchApiKey } from "../db/queries/integration";
import type { AppEnv, Principal } from "../env";
import { ApiError } from "../platform/errors";
import { verifyUserToken } from "../platform/tokens";
import { bearer } from "../platform/auth";
import { scopeMissing } from "./envelope";

export const SCOPES = ["chat.read", "chat.write", "attachments.read", "attachments.write", "publishers.read"] as const;
export type Scope = (typeof SCOPES)[number];


async function sha256Hex(text: string) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export const hashApiKey = sha256Hex;

async function authenticate(c: Context<AppEnv>): Promise<Principal> {
  const apiKey = c.req.header("X-API-KEY");
  if (apiKey) {
    // No cache: a revoked key is refused on the very next request.
    const row = await findLiveKey(c.get("db"), await sha256Hex(apiKey));
    if (!row) throw new ApiError("AUTH_INVALID_TOKEN", "Invalid or revoked API key");
    c.executionCtx.waitUntil(touchApiKey(c.get("db"), row.id, Date.now()).catch(() => {}));
    return { id: `apikey_${row.id}`, scopes: row.scopes };
  }
  const token = bearer(c.req.header("Authorization"));
  try {
    const payload = await verifyUserToken(token, c.env);
    const scope = payload.scope;
    const scopes = Array.isArray(scope) ? scope.map(String) : typeof scope === "string" ? scope.split(" ") : [];
    if (typeof payload.sub !== "string") throw new Error("no sub");
    return { id: payload.sub, scopes };
  } catch {
    throw new ApiError("AUTH_INVALID_TOKEN", "Token is invalid or expired");
  }
}

/** Limit per minute for each API key (wrangler.toml INTEGRATION_RATE_LIMITER). */
const KEY_LIMIT = 300;
/** Requests this isolate has counted per key in the current minute: the basis of `…-remaining`. */
const windowCounts = new Map<string, { minute: number; count: number }>();

/**
 * Authenticates, checks `scope`, and applies the per-key rate limit. The Rate Limiting binding
 * decides; the `x-ratelimit-minute-*` headers Connecteam clients read are reported alongside
 * (remaining is counted by this isolate only, so it is an upper bound on what is really left).
 */
export const requireScope = (scope: Scope) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const principal = c.get("principal") ?? (await authenticate(c));
    c.set("principal", principal);
    if (!principal.scopes.includes(scope)) throw scopeMissing(scope);

    const minute = Math.floor(Date.now() / 60_000);
    const seen = windowCounts.get(principal.id);
    const count = seen?.minute === minute ? seen.count + 1 : 1;
    if (!seen && windowCounts.size >= 10_000) windowCounts.clear(); // bounded: only this minute matters
    windowCounts.set(principal.id, { minute, count });
    const headers = {
      "x-ratelimit-minute-limit": String(KEY_LIMIT),
      "x-ratelimit-minute-remaining": String(Math.max(0, KEY_LIMIT - count)),
      "x-ratelimit-minute-reset": String((minute + 1) * 60 - Math.floor(Date.now() / 1000)),
    };
    const { success } = await c.env.INTEGRATION_RATE_LIMITER.limit({ key: principal.id });
    if (!success) {
      throw new ApiError("RATE_LIMITED", "Too many requests", undefined, {
        ...headers,
        "x-ratelimit-minute-remaining": "0",
        "Retry-After": headers["x-ratelimit-minute-reset"],
      });
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  });
