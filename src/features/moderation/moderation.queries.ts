/** Bans, mutes and slow mode in the directory (DESIGN §15). Reports and the audit log have their own files. */
import { and, desc, eq, sql } from "drizzle-orm";
import { appBans, channelBans, channelMutes } from "../../db/moderation";
import { channels } from "../../db/directory";
import type { Db } from "../../env";

/** Stands for "no expiry" in the standing subselects (null there means "no row"). */
const FOREVER = -1;

/** For the `channels` row in scope: when `userId`'s ban there ends (-1: until lifted), null when none. */
export const banUntilSql = (userId: string) =>
  sql<number | null>`(select coalesce(b.expires_at, ${FOREVER}) from ${channelBans} b where b.channel_id = ${channels.id} and b.user_id = ${userId})`;
export const muteUntilSql = (userId: string) =>
  sql<number | null>`(select m.expires_at from ${channelMutes} m where m.channel_id = ${channels.id} and m.user_id = ${userId})`;

/** When `userId`'s app-wide shadow ban ends (-1: until lifted), null when they have none (DESIGN §15). */
export const shadowUntilSql = (userId: string) => sql<number | null>`(select coalesce(a.expires_at, ${FOREVER}) from ${appBans} a where a.user_id = ${userId} and a.shadow = 1)`;

/** The subselect's value as a Standing field: undefined (none), null (until lifted) or the end in ms. */
export const untilOf = (v: number | null | undefined) => (v === null || v === undefined ? undefined : v === FOREVER ? null : v);

/** Whether a standing (ban or mute) is in force at `now`. */
export const inForce = (until: number | null | undefined, now = Date.now()) => until === null || (until !== undefined && until > now);

export async function findBan(db: Db, channelId: string, userId: string) {
  return db.select().from(channelBans).where(and(eq(channelBans.channelId, channelId), eq(channelBans.userId, userId))).get();
}

export async function findMute(db: Db, channelId: string, userId: string) {
  return db.select().from(channelMutes).where(and(eq(channelMutes.channelId, channelId), eq(channelMutes.userId, userId))).get();
}

/** Replaces an expired row: one row per (channel, user) holds the ban in force, if any. */
export const upsertBan = (db: Db, row: typeof channelBans.$inferInsert) =>
  db.insert(channelBans).values(row).onConflictDoUpdate({ target: [channelBans.channelId, channelBans.userId], set: { bannedBy: row.bannedBy, reason: row.reason ?? null, createdAt: row.createdAt, expiresAt: row.expiresAt ?? null } });

export const upsertMute = (db: Db, row: typeof channelMutes.$inferInsert) =>
  db.insert(channelMutes).values(row).onConflictDoUpdate({ target: [channelMutes.channelId, channelMutes.userId], set: { mutedBy: row.mutedBy, createdAt: row.createdAt, expiresAt: row.expiresAt } });

export const deleteBan = (db: Db, channelId: string, userId: string) => db.delete(channelBans).where(and(eq(channelBans.channelId, channelId), eq(channelBans.userId, userId)));
export const deleteMute = (db: Db, channelId: string, userId: string) => db.delete(channelMutes).where(and(eq(channelMutes.channelId, channelId), eq(channelMutes.userId, userId)));

/** Bans and mutes in force, newest first (at most 1000: a channel's moderators read these, not a feed). */
export async function listBans(db: Db, channelId: string, now: number) {
  return db.select().from(channelBans).where(and(eq(channelBans.channelId, channelId), sql`(${channelBans.expiresAt} is null or ${channelBans.expiresAt} > ${now})`)).orderBy(desc(channelBans.createdAt)).limit(1000);
}

export async function listMutes(db: Db, channelId: string, now: number) {
  return db.select().from(channelMutes).where(and(eq(channelMutes.channelId, channelId), sql`${channelMutes.expiresAt} > ${now}`)).orderBy(desc(channelMutes.createdAt)).limit(1000);
}

export const setSlowMode = (db: Db, channelId: string, seconds: number) => db.update(channels).set({ slowModeS: seconds }).where(eq(channels.id, channelId));
