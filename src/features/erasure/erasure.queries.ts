/** The directory's side of an erasure (DESIGN §17): the erasure record and every row naming the user. */
import { and, eq, inArray, isNull, ne, or, sql } from "drizzle-orm";
import {
  attachments,
  auditLog,
  channelBans,
  channelMembers,
  channelMutes,
  channels,
  deletedPositions,
  erasures,
  mentions,
  pushSubscriptions,
  pushWindows,
  reminders,
  scheduledMessages,
  userBlocks,
  userSockets,
  users,
  webhookDeliveries,
} from "../../db/schema";
import type { Db } from "../../env";

export type ErasureRow = typeof erasures.$inferSelect;
export const DELETED_USER_NAME = "Deleted user";

export const findErasure = (db: Db, pseudonym: string) => db.select().from(erasures).where(eq(erasures.pseudonym, pseudonym)).get();

/** Erasures with work left (running, or waiting on a hold), oldest first. */
export const unfinishedErasures = (db: Db, limit: number) =>
  db.select({ pseudonym: erasures.pseudonym }).from(erasures).where(ne(erasures.status, "done")).orderBy(erasures.requestedAt).limit(limit);

/** Up to `limit` channels the user is still a member of. */
export async function membershipsOf(db: Db, userId: string, limit: number) {
  const rows = await db.select({ channelId: channelMembers.channelId }).from(channelMembers).where(eq(channelMembers.userId, userId)).limit(limit);
  return rows.map((r) => r.channelId);
}

/** Up to `limit` of the mention rows naming the user, with their channel's shard. */
export async function mentionsOf(db: Db, userId: string, limit: number) {
  return db
    .select({ channelId: mentions.channelId, messageId: mentions.messageId, shard: channels.shard })
    .from(mentions)
    .innerJoin(channels, eq(channels.id, mentions.channelId))
    .where(eq(mentions.userId, userId))
    .limit(limit);
}

export function dropMentions(db: Db, userId: string, messageIds: string[]) {
  return db.delete(mentions).where(and(eq(mentions.userId, userId), inArray(mentions.messageId, messageIds)));
}

/** Up to `limit` of the user's uploads no message uses (pending, or never attached), retired: no signed URL serves them any more. */
export async function retireUnusedUploads(db: Db, userId: string, limit: number) {
  const rows = await db
    .update(attachments)
    .set({ status: "deleted" })
    .where(inArray(attachments.id, db.select({ id: attachments.id }).from(attachments).where(and(eq(attachments.ownerId, userId), isNull(attachments.messageId))).limit(limit)))
    .returning({ id: attachments.id });
  return rows.map((r) => r.id);
}

/**
 * Everything else in the directory that names the user, in one transaction: blocks either way,
 * socket state, the deleted positions of their messages (renamed: unread counts subtract a reader's
 * own, and the reader is gone), DM keys, webhook delivery logs whose payload names them, and the
 * audit log (actor, target and details take the pseudonym: the entries stay, the person is not named).
 */
export function scrubDirectory(db: Db, userId: string, pseudonym: string) {
  const quoted = JSON.stringify(userId);
  return [
    db.delete(userBlocks).where(or(eq(userBlocks.blockerId, userId), eq(userBlocks.blockedId, userId))),
    db.delete(userSockets).where(eq(userSockets.userId, userId)),
    db.update(deletedPositions).set({ senderId: pseudonym }).where(eq(deletedPositions.senderId, userId)),
    db
      .update(channels)
      .set({ dmKey: null })
      .where(and(eq(channels.type, "dm"), sql`instr(' ' || ${channels.dmKey} || ' ', ${` ${userId} `}) > 0`)),
    db.delete(webhookDeliveries).where(sql`instr(${webhookDeliveries.payload}, ${quoted}) > 0`),
    // Scheduled messages and reminders (§18): the room's and hub's copies find their author gone at
    // their time (the send is refused, nothing stored; the hub forgot its reminders already).
    db.delete(scheduledMessages).where(eq(scheduledMessages.authorId, userId)),
    db.delete(reminders).where(eq(reminders.userId, userId)),
    db.delete(pushSubscriptions).where(eq(pushSubscriptions.userId, userId)),
    db.delete(pushWindows).where(eq(pushWindows.userId, userId)),
    db.delete(channelBans).where(eq(channelBans.userId, userId)),
    db.delete(channelMutes).where(eq(channelMutes.userId, userId)),
    db.update(auditLog).set({ actor: pseudonym }).where(eq(auditLog.actor, userId)),
    db.update(auditLog).set({ targetUserId: pseudonym }).where(eq(auditLog.targetUserId, userId)),
    db
      .update(auditLog)
      .set({ details: sql`replace(${auditLog.details}, ${quoted}, ${JSON.stringify(pseudonym)})` })
      .where(sql`instr(${auditLog.details}, ${quoted}) > 0`),
  ] as const;
}

/** The pseudonym's own user row, so kept messages show "Deleted user" wherever a sender is shown. */
export function pseudonymUser(db: Db, pseudonym: string, now: number) {
  return db.insert(users).values({ id: pseudonym, displayName: DELETED_USER_NAME, createdAt: now, updatedAt: now }).onConflictDoNothing();
}

export const renameUser = (db: Db, userId: string, now: number) => db.update(users).set({ displayName: DELETED_USER_NAME, updatedAt: now }).where(eq(users.id, userId));
export const dropUser = (db: Db, userId: string) => db.delete(users).where(eq(users.id, userId));
