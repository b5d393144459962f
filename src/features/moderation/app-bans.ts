/**
 * App-wide bans (DESIGN §15), through the admin API. A ban refuses every request the user makes
 * (403 AUTH_USER_BANNED, src/platform/app-bans.ts) and closes their sockets: the user hub's and, in
 * each channel room the hub knows them connected to, the channel sockets (4003). Memberships stay:
 * lifting the ban gives the user back everything as it was.
 */
import { eq } from "drizzle-orm";
import { type AppBanRow, appBans } from "../../db/moderation";
import type { Deps } from "../../env";
import { forgetAppBanCheck } from "../../platform/app-bans";
import { ApiError, userNotFound } from "../../platform/errors";
import { seconds } from "../../platform/schemas";
import { hubOf } from "../../realtime/hubs";
import { roomOf } from "../../realtime/notify";
import { findExistingUserIds } from "../users/users.queries";
import { APP_MODERATOR } from "../channels/access";
import { appendAudit } from "./audit";

export const appBanJson = (b: AppBanRow) => ({
  user_id: b.userId,
  reason: b.reason,
  shadow: b.shadow,
  created_at: seconds(b.createdAt),
  expires_at: b.expiresAt === null ? null : Math.ceil(b.expiresAt / 1000),
});

const inForce = (b: AppBanRow | undefined, now: number): b is AppBanRow => !!b && (b.expiresAt === null || b.expiresAt > now);

/** Bans (201) or answers the ban in force when it is the same kind (200); a different kind (shadow or not) replaces it (201). */
export async function appBan(deps: Deps, userId: string, reason: string | null, durationS: number | null, shadow: boolean) {
  const { db } = deps;
  if (!(await findExistingUserIds(db, [userId])).length) throw userNotFound(userId);
  const now = Date.now();
  const existing = await db.select().from(appBans).where(eq(appBans.userId, userId)).get();
  if (inForce(existing, now) && existing.shadow === shadow) return { ban: appBanJson(existing), created: false };
  const row: AppBanRow = { userId, reason, shadow, createdAt: now, expiresAt: durationS === null ? null : now + durationS * 1000 };
  await db.batch([
    db.insert(appBans).values(row).onConflictDoUpdate({ target: appBans.userId, set: { reason, shadow, createdAt: now, expiresAt: row.expiresAt } }),
    appendAudit(db, { actor: APP_MODERATOR, action: "app_ban", targetUserId: userId, reason, details: { duration_s: durationS, shadow, expires_at: appBanJson(row).expires_at } }, now),
  ]);
  forgetAppBanCheck(userId);
  if (!shadow) await disconnect(deps, userId);
  return { ban: appBanJson(row), created: true };
}

export async function appUnban(deps: Deps, userId: string) {
  const { db } = deps;
  const existing = await db.select().from(appBans).where(eq(appBans.userId, userId)).get();
  if (!inForce(existing, Date.now())) throw new ApiError("CHAT_BAN_NOT_FOUND", `User ${userId} is not banned`);
  await db.batch([db.delete(appBans).where(eq(appBans.userId, userId)), appendAudit(db, { actor: APP_MODERATOR, action: "app_unban", targetUserId: userId })]);
  forgetAppBanCheck(userId);
}

/** Closes the user's sockets: the hub's at once, then each room's it names (a room that fails is logged; its sockets fail auth on reconnect). */
async function disconnect(deps: Deps, userId: string) {
  const channels = await hubOf(deps.env, userId).disconnect("banned");
  const closed = await Promise.allSettled(channels.map((channelId) => roomOf(deps.env, channelId).closeUserSockets(channelId, userId, "banned")));
  for (const c of closed) if (c.status === "rejected") console.error(JSON.stringify({ level: "warn", moderation: "app_ban_disconnect", user_id: userId, error: String(c.reason) }));
}
