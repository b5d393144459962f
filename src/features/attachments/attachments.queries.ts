import { eq, inArray } from "drizzle-orm";
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
