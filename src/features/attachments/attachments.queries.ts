import { and, eq, inArray, isNull, lt, or } from "drizzle-orm";
import type { Db } from "../../env";
import { type AttachmentRow, attachments } from "../../db/schema";

export type NewAttachment = Omit<AttachmentRow, "width" | "height" | "isImage" | "messageId"> & Partial<Pick<AttachmentRow, "width" | "height" | "isImage">>;

export async function insertAttachment(db: Db, row: NewAttachment) {
  return db.insert(attachments).values(row).returning().get();
}

export async function getAttachment(db: Db, id: string) {
  return db.query.attachments.findFirst({ where: eq(attachments.id, id) });
}

/** Marks an upload usable, with what its bytes turned out to be. */
export async function completeAttachment(
  db: Db,
  id: string,
  facts: Pick<AttachmentRow, "contentType" | "sizeBytes" | "isImage" | "width" | "height">,
) {
  return db.update(attachments).set({ ...facts, status: "complete" }).where(eq(attachments.id, id)).returning().get();
}

export async function deleteAttachments(db: Db, ids: string[]) {
  if (ids.length) await db.delete(attachments).where(inArray(attachments.id, ids));
}

/** Takes a pending upload for its one-time PUT; false when another PUT has it (or had it). */
export async function claimUpload(db: Db, id: string) {
  const rows = await db
    .update(attachments)
    .set({ status: "receiving" })
    .where(and(eq(attachments.id, id), eq(attachments.status, "pending")))
    .returning({ id: attachments.id });
  return rows.length > 0;
}

/** Gives a claimed upload back when its bytes did not arrive. */
export async function releaseUpload(db: Db, id: string) {
  await db.update(attachments).set({ status: "pending" }).where(and(eq(attachments.id, id), eq(attachments.status, "receiving")));
}

/** The named uploads (at most 10), to check before a send. */
export async function findUploads(db: Db, ids: string[]) {
  return db.select().from(attachments).where(inArray(attachments.id, ids));
}

/**
 * Takes the uploads for a message in one conditional write: only the owner's complete ones, unused or
 * already this message's (its send retried).
 * True when every one was taken; otherwise nothing stays taken (racing sends: exactly one wins).
 */
export async function claimForMessage(db: Db, ids: string[], ownerId: string, messageId: string) {
  const claimed = await db
    .update(attachments)
    .set({ messageId })
    .where(and(inArray(attachments.id, ids), eq(attachments.ownerId, ownerId), eq(attachments.status, "complete"), or(isNull(attachments.messageId), eq(attachments.messageId, messageId))))
    .returning({ id: attachments.id });
  if (claimed.length === ids.length) return true;
  await releaseClaims(db, messageId);
  return false;
}

/** Gives back what a message claimed (its send failed after the claim). */
export function releaseClaims(db: Db, messageId: string) {
  return db.update(attachments).set({ messageId: null }).where(eq(attachments.messageId, messageId));
}

/** Uploads of a deleted message: marked deleted, so nothing can use them and the cron removes them. */
export function markDeleted(db: Db, ids: string[]) {
  return db.update(attachments).set({ status: "deleted" }).where(inArray(attachments.id, ids));
}

/** Uploads no message uses, created before `cutoff`, or of deleted messages: the cron's to delete. */
export async function findOrphans(db: Db, cutoff: number, limit: number) {
  const rows = await db
    .select({ id: attachments.id })
    .from(attachments)
    .where(or(and(isNull(attachments.messageId), lt(attachments.createdAt, cutoff)), eq(attachments.status, "deleted")))
    .limit(limit);
  return rows.map((r) => r.id);
}
