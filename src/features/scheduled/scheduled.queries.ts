/** The directory's copy of scheduled messages: what their authors list (the room decides, src/room/scheduled/). */
import { and, asc, count, eq, inArray, isNull, or } from "drizzle-orm";
import { type ScheduledMessageRow, attachments, scheduledMessages } from "../../db/directory";
import type { Db } from "../../env";

export type { ScheduledMessageRow };

export const insertScheduled = (db: Db, row: ScheduledMessageRow) => db.insert(scheduledMessages).values(row).onConflictDoNothing();

export const updateScheduled = (db: Db, id: string, fields: Partial<ScheduledMessageRow>) => db.update(scheduledMessages).set(fields).where(eq(scheduledMessages.id, id));

export const deleteScheduled = (db: Db, id: string) => db.delete(scheduledMessages).where(eq(scheduledMessages.id, id));

export async function getScheduled(db: Db, id: string) {
  return (await db.select().from(scheduledMessages).where(eq(scheduledMessages.id, id)).limit(1))[0];
}

/** The author's scheduled messages, soonest first (at most MAX_SCHEDULED_PER_USER pending, plus failed ones). */
export function listScheduled(db: Db, authorId: string) {
  return db.select().from(scheduledMessages).where(eq(scheduledMessages.authorId, authorId)).orderBy(asc(scheduledMessages.sendAt), asc(scheduledMessages.id)).limit(500);
}

export async function countPending(db: Db, authorId: string) {
  const [row] = await db.select({ n: count() }).from(scheduledMessages).where(and(eq(scheduledMessages.authorId, authorId), eq(scheduledMessages.status, "pending")));
  return row?.n ?? 0;
}

/**
 * A scheduled message's uploads are claimed under its id (so the orphan sweep leaves them alone);
 * at its time the claim moves to the message the send mints (claimForMessage accepts its own id).
 */
export const moveClaims = (db: Db, fromId: string, toId: string) => db.update(attachments).set({ messageId: toId }).where(eq(attachments.messageId, fromId));

/**
 * After a refused send: its uploads go back under the (failed) scheduled message, whether the send
 * released them (refused after its claim) or never got to them (still under the message id).
 */
export const reclaim = (db: Db, assetIds: string[], ownerId: string, scheduledId: string, messageId: string) =>
  db
    .update(attachments)
    .set({ messageId: scheduledId })
    .where(and(inArray(attachments.id, assetIds), eq(attachments.ownerId, ownerId), or(isNull(attachments.messageId), eq(attachments.messageId, messageId)), eq(attachments.status, "complete")));

/** Cancelled: its uploads are free again (unused uploads: the hourly sweep removes them after 24 h). */
export const releaseScheduledClaims = (db: Db, scheduledId: string) => db.update(attachments).set({ messageId: null }).where(eq(attachments.messageId, scheduledId));

/** Every scheduled message of a channel (a deleted channel fails them all). */
export const scheduledOfChannel = (db: Db, channelId: string) => db.select().from(scheduledMessages).where(and(eq(scheduledMessages.channelId, channelId), eq(scheduledMessages.status, "pending")));
