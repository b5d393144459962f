/** Which uploads messages use (message_attachments): history's side of attachments. */
import { and, eq, inArray, lt, notExists, or, sql } from "drizzle-orm";
import type { Db } from "../env";
import { attachments, messageAttachments } from "../db/schema";

/** The named uploads, each with whether a message already uses it (one query). */
export async function findForMessage(db: Db, ids: string[]) {
  return db
    .select({ row: attachments, usedBy: messageAttachments.messageId })
    .from(attachments)
    .leftJoin(messageAttachments, eq(messageAttachments.assetId, attachments.id))
    .where(inArray(attachments.id, ids));
}

/** Uploads no message uses, created before `cutoff` or of deleted messages: the cron's to delete. */
export async function findOrphans(db: Db, cutoff: number, limit: number) {
  const rows = await db
    .select({ id: attachments.id })
    .from(attachments)
    .where(
      and(
        or(lt(attachments.createdAt, cutoff), eq(attachments.status, "deleted")),
        notExists(db.select({ one: sql`1` }).from(messageAttachments).where(eq(messageAttachments.assetId, attachments.id))),
      ),
    )
    .limit(limit);
  return rows.map((r) => r.id);
}
