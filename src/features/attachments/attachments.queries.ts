import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../../env";
import { type AttachmentRow, attachments } from "../../db/schema";

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
