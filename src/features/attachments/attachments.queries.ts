import { and, eq, inArray, isNull, lt, ne, or } from "drizzle-orm";
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
  // Never brings back an upload the cron has retired (its bytes are going): undefined then.
  return db.update(attachments).set({ ...facts, status: "complete" }).where(and(eq(attachments.id, id), ne(attachments.status, "deleted"))).returning().get();
}

/**
 * D1 binds at most 100 parameters per statement: longer id lists go in several, in one batch. Ids per
 * statement leave room for the statement's other parameters (a status, a cutoff).
 */
const IDS_PER_STATEMENT = 90;
const chunks = <T>(items: T[], size = IDS_PER_STATEMENT) => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

export async function deleteAttachments(db: Db, ids: string[]) {
  const [first, ...rest] = chunks(ids).map((part) => db.delete(attachments).where(inArray(attachments.id, part)));
  if (first) await db.batch([first, ...rest]);
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

/** What the cron deletes: uploads no message uses created before `cutoff`, and retired ones (`deleted`). */
const orphaned = (cutoff: number) => or(and(isNull(attachments.messageId), lt(attachments.createdAt, cutoff)), eq(attachments.status, "deleted"));

/** Up to `limit` orphans (see `orphaned`): candidates only, a send may still claim one until it is retired. */
export async function findOrphans(db: Db, cutoff: number, limit: number) {
  const rows = await db.select({ id: attachments.id }).from(attachments).where(orphaned(cutoff)).limit(limit);
  return rows.map((r) => r.id);
}

/**
 * Marks the candidates that are still orphans now `deleted`, in one conditional write, and returns
 * those: a send that claimed one since it was found keeps it (its row no longer matches), and once
 * marked no send can claim it (claimForMessage takes only `complete` uploads). Only these lose bytes.
 */
export async function retireOrphans(db: Db, ids: string[], cutoff: number) {
  if (ids.length === 0) return [];
  const [first, ...rest] = chunks(ids).map((part) =>
    db.update(attachments).set({ status: "deleted" }).where(and(inArray(attachments.id, part), orphaned(cutoff))).returning({ id: attachments.id }),
  );
  return (await db.batch([first!, ...rest])).flat().map((r) => r.id);
}

/**
 * Marks the uploads of these (purged) messages `deleted`, so no signed URL serves them from now on;
 * returns their ids, whose bytes and rows go next (or with the cron, which takes every `deleted` row).
 */
export async function retireMessageUploads(db: Db, messageIds: string[]) {
  if (messageIds.length === 0) return [];
  const [first, ...rest] = chunks(messageIds).map((part) =>
    db.update(attachments).set({ status: "deleted" }).where(inArray(attachments.messageId, part)).returning({ id: attachments.id }),
  );
  return (await db.batch([first!, ...rest])).flat().map((r) => r.id);
}
