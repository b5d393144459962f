import { and, eq, inArray, lt, notExists, sql } from "drizzle-orm";
import type { Db } from "../../env";
import { type AttachmentRow, attachments, messageAttachments } from "../schema";

export type NewAttachment = Omit<AttachmentRow, "width" | "height" | "isImage"> & Partial<Pick<AttachmentRow, "width" | "height" | "isImage">>;

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

/** The named uploads, each with whether a message already uses it (one query). */
export async function findForMessage(db: Db, ids: string[]) {
  return db
    .select({ row: attachments, usedBy: messageAttachments.messageId })
    .from(attachments)
    .leftJoin(messageAttachments, eq(messageAttachments.assetId, attachments.id))
    .where(inArray(attachments.id, ids));
}

/** Uploads no message uses, created before `cutoff`: the cron's to delete. */
export async function findOrphans(db: Db, cutoff: number, limit: number) {
  const rows = await db
    .select({ id: attachments.id })
    .from(attachments)
    .where(
      and(
        lt(attachments.createdAt, cutoff),
        notExists(db.select({ one: sql`1` }).from(messageAttachments).where(eq(messageAttachments.assetId, attachments.id))),
      ),
    )
    .limit(limit);
  return rows.map((r) => r.id);
}

export async function deleteAttachments(db: Db, ids: string[]) {
  if (ids.length) await db.delete(attachments).where(inArray(attachments.id, ids));
}
