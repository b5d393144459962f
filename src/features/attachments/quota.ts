/**
 * The pending-upload limits: how many unused uploads (and how many of their bytes) one owner may
 * hold at once. The check and the new row are one conditional INSERT … SELECT, so a parallel burst
 * cannot overshoot what a check-then-insert would let through.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { attachments } from "../../db/schema";
import type { Db } from "../../env";
import { ApiError } from "../../platform/errors";
import { MAX_PENDING_BYTES, MAX_PENDING_UPLOADS, MAX_SIGNED_UPLOAD, ORPHAN_AGE_MS, UPLOAD_URL_TTL_SECONDS } from "./limits";
import type { NewAttachment } from "./attachments.queries";

/** When the hourly cron has certainly run past an upload's 24 h (it runs once an hour). */
const CRON_PERIOD_MS = 60 * 60 * 1000;
const URL_TTL_MS = UPLOAD_URL_TTL_SECONDS * 1000;

/**
 * What an unused upload holds against the limits. A pending upload whose URL expired unused can no
 * longer receive bytes: it holds nothing (the cron removes its row). One not announced (size 0, an
 * integration upload) may still receive the signed-upload maximum.
 */
const counted = (now: number) =>
  sql`(${attachments.status} in ('receiving', 'complete') or (${attachments.status} = 'pending' and ${attachments.createdAt} > ${now - URL_TTL_MS}))`;
const weight = sql`case when ${attachments.sizeBytes} = 0 then ${MAX_SIGNED_UPLOAD} else ${attachments.sizeBytes} end`;
const unusedOf = (ownerId: string, now: number) => and(eq(attachments.ownerId, ownerId), isNull(attachments.messageId), counted(now));

/** The bytes a new row holds against the limit (see `weight`). */
const weightOf = (row: Pick<NewAttachment, "sizeBytes">) => row.sizeBytes || MAX_SIGNED_UPLOAD;

/**
 * Inserts `row` only while its owner stays within MAX_PENDING_UPLOADS and MAX_PENDING_BYTES
 * counting it; otherwise 429 UPLOAD_PENDING_LIMIT and nothing is written.
 */
export async function reserveUpload(db: Db, row: NewAttachment) {
  const now = row.createdAt;
  const held = db
    .select({ n: sql`count(*)`.as("n"), bytes: sql`coalesce(sum(${weight}), 0)`.as("bytes") })
    .from(attachments)
    .where(unusedOf(row.ownerId, now))
    .as("held");
  // Every column in table order (drizzle's INSERT … SELECT), the limits as the WHERE.
  const inserted = await db
    .insert(attachments)
    .select(
      sql`select ${row.id}, ${row.ownerId}, ${row.filename}, ${row.contentType}, ${row.sizeBytes}, null, null, 0, ${row.status}, ${row.createdAt}, null
          from ${held} where ${held.n} < ${MAX_PENDING_UPLOADS} and ${held.bytes} + ${weightOf(row)} <= ${MAX_PENDING_BYTES}`,
    )
    .returning();
  if (inserted[0]) return inserted[0];
  throw await pendingLimit(db, row.ownerId, now, weightOf(row));
}

/** The refusal, with what the owner holds and when the first of it frees itself (Retry-After). */
async function pendingLimit(db: Db, ownerId: string, now: number, wanted: number) {
  const rows = await db
    .select({ status: attachments.status, createdAt: attachments.createdAt, bytes: sql<number>`${weight}` })
    .from(attachments)
    .where(unusedOf(ownerId, now));
  const bytes = rows.reduce((sum, r) => sum + r.bytes, 0);
  // A live URL frees its slot when it expires unused; anything else when the cron deletes it unused.
  const frees = rows.map((r) => (r.status === "pending" ? r.createdAt + URL_TTL_MS : r.createdAt + ORPHAN_AGE_MS + CRON_PERIOD_MS));
  const retryAfter = Math.max(1, Math.ceil(((frees.length ? Math.min(...frees) : now) - now) / 1000));
  const what = rows.length >= MAX_PENDING_UPLOADS ? `${rows.length} unused uploads (the limit is ${MAX_PENDING_UPLOADS})` : `${bytes} bytes in unused uploads; this one needs ${wanted} more (the limit is ${MAX_PENDING_BYTES})`;
  return new ApiError(
    "UPLOAD_PENDING_LIMIT",
    `You have ${what}: attach your uploads to messages, or retry after Retry-After seconds`,
    { pending_uploads: rows.length, pending_bytes: bytes, max_pending_uploads: MAX_PENDING_UPLOADS, max_pending_bytes: MAX_PENDING_BYTES },
    { "Retry-After": String(retryAfter) },
  );
}
