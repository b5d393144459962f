import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { upsertUser } from "../db/queries/users";
import type { AppEnv } from "../env";
import { ApiError } from "../lib/errors";
import { safeEqual, verifyUserToken } from "../lib/tokens";
import { USER_ID_PATTERN } from "../schemas/common";

export function bearer(header: string | undefined): string {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  if (!match) throw new ApiError("AUTH_REQUIRED", "Send Authorization: Bearer <token>");
  return match[1]!;
}

/**
 * Users this isolate has already written as (id → name). Lets steady-state requests skip
 * D1 entirely for auth; a new user or a changed name costs one upsert.
 */
const knownUsers = new Map<string, string | undefined>();
const KNOWN_USERS_MAX = 10_000;

/** `/v1`: a valid user JWT. Sets `c.var.user`. */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  await authenticate(c, bearer(c.req.header("Authorization")));
  await next();
});

/** Verifies a user token, records the user when new or renamed, and sets `c.var.user`. */
export async function authenticate(c: Context<AppEnv>, token: string) {
  let payload;
  try {
    payload = await verifyUserToken(token, c.env);
  } catch {
    throw new ApiError("AUTH_INVALID_TOKEN", "Token is invalid or expired");
  }
  const { sub, name } = payload;
  // `pub_` (publishers) and `apikey_` (integration keys, owners of their uploads) are never users.
  if (typeof sub !== "string" || !USER_ID_PATTERN.test(sub) || sub.startsWith("pub_") || sub.startsWith("apikey_")) {
    throw new ApiError("AUTH_INVALID_TOKEN", "Token has no usable sub claim");
  }
  const displayName = typeof name === "string" && name.trim() ? name.trim().slice(0, 100) : undefined;
  if (!knownUsers.has(sub) || knownUsers.get(sub) !== displayName) {
    await upsertUser(c.get("db"), sub, displayName);
    if (knownUsers.size >= KNOWN_USERS_MAX) knownUsers.clear();
    knownUsers.set(sub, displayName);
  }
  c.set("user", { id: sub, name: displayName ?? sub });
}

/** `/admin/v1`: the operator's ADMIN_TOKEN. */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearer(c.req.header("Authorization"));
  if (!c.env.ADMIN_TOKEN || !safeEqual(token, c.env.ADMIN_TOKEN)) {
    throw new ApiError("AUTH_INVALID_TOKEN", "Invalid admin token");
  }
  await next();
});
