import { sql } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import type { AppEnv, AuthUser, Db, Env } from "../env";
import { users } from "../db/schema";
import { authRequired, invalidToken } from "./errors";
import { failedAuthGuard } from "./failed-auth";
import { USER_ID_PATTERN } from "./schemas";
import { safeEqual, verifyUserToken } from "./tokens";
import { forgetName } from "./user-names";
import { refuseAppBanned } from "./app-bans";
import { refuseErased } from "./erased-users";

/**
 * Id prefixes the service uses for its own principals (publishers, API keys) and for erased users'
 * pseudonyms: never a user's, so a user token can never pose as one.
 */
export const RESERVED_ID_PREFIXES = ["pub_", "apikey_", "erased_"] as const;
/** Whole ids that name the service's own actors in moderation (DESIGN §15): "admin" (the admin API) and "system" (the blocklist). */
export const RESERVED_IDS = ["admin", "system"] as const;
/** How a refusal names what is reserved. */
export const RESERVED_TEXT = `ids starting ${RESERVED_ID_PREFIXES.join(", ")} and the ids ${RESERVED_IDS.join(", ")} are reserved`;
export const isReservedUserId = (id: string) => RESERVED_ID_PREFIXES.some((p) => id.toLowerCase().startsWith(p)) || (RESERVED_IDS as readonly string[]).includes(id.toLowerCase());

export function bearer(header: string | undefined): string {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  if (!match) throw authRequired();
  return match[1]!;
}

/**
 * Users this isolate has already written as (id → name). Lets steady-state requests skip
 * D1 entirely for auth; a new user or a changed name costs one upsert.
 */
const knownUsers = new Map<string, string | undefined>();
const KNOWN_USERS_MAX = 10_000;

/**
 * Creates the user, or renames it when the token shows a new name. The WHERE on the
 * conflict branch makes an unchanged user cost zero rows written.
 */
async function upsertUser(db: Db, id: string, displayName: string | undefined) {
  forgetName(id);
  const now = Date.now();
  await db
    .insert(users)
    .values({ id, displayName: displayName ?? id, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: users.id,
      set: { displayName: sql`excluded.display_name`, updatedAt: now },
      setWhere: displayName === undefined ? sql`0` : sql`${users.displayName} is not excluded.display_name`,
    });
}

/** Verifies a user token and records the user when new or renamed. */
export async function authenticateUser(db: Db, env: Env, token: string): Promise<AuthUser> {
  let payload;
  try {
    payload = await verifyUserToken(token, env);
  } catch {
    throw invalidToken();
  }
  const { sub, name } = payload;
  if (typeof sub !== "string" || !USER_ID_PATTERN.test(sub) || isReservedUserId(sub)) {
    throw invalidToken("Token has no usable sub claim");
  }
  // Before the upsert: an erased user's token must not bring their row back.
  await refuseErased(db, env, sub);
  // An app-wide ban (DESIGN §15) refuses every request the token makes, sockets included.
  await refuseAppBanned(db, sub);
  const displayName = typeof name === "string" && name.trim() ? name.trim().slice(0, 100) : undefined;
  if (!knownUsers.has(sub) || knownUsers.get(sub) !== displayName) {
    await upsertUser(db, sub, displayName);
    if (knownUsers.size >= KNOWN_USERS_MAX) knownUsers.clear();
    knownUsers.set(sub, displayName);
  }
  return { id: sub, name: displayName ?? sub };
}

/** An erasure forgets the user here, so a token that arrives later writes their row again only if allowed. */
export const forgetKnownUser = (id: string) => knownUsers.delete(id);

/** `/v1`: a valid user JWT. Sets `c.var.user`. */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  c.set("user", await authenticateUser(c.get("db"), c.env, bearer(c.req.header("Authorization"))));
  await next();
});

/**
 * Wrong admin tokens per client address (ADMIN_AUTH_LIMITER), as integration credentials are
 * counted: past the limit the address gets 429 for a minute, even with the right token, so the
 * one secret that runs everything cannot be guessed at the Worker's request rate.
 */
const adminGuessing = failedAuthGuard((env) => env.ADMIN_AUTH_LIMITER);

/** `/admin/v1`: the operator's ADMIN_TOKEN. */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  adminGuessing.refuseBlocked(c);
  // No Authorization at all is a 401 but not a guess, so it is not counted.
  const token = bearer(c.req.header("Authorization"));
  if (!c.env.ADMIN_TOKEN || !safeEqual(token, c.env.ADMIN_TOKEN)) {
    throw await adminGuessing.failed(c, invalidToken("Invalid admin token"));
  }
  await next();
});
