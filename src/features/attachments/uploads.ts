/** Uploads: storing bytes, deciding what they are, and handing them to messages. Plain arguments, no HTTP. */
import type { AttachmentRow, StoredAttachment } from "../../db/schema";
import type { Db, Deps, Env } from "../../env";
import { ApiError } from "../../platform/errors";
import { newId } from "../../platform/ids";
import { completeAttachment, deleteAttachments, findUploads, getAttachment } from "./attachments.queries";
import { cleanContentType, cleanFilename } from "./attachments.schemas";
import { MAX_ATTACHMENTS, MAX_DIRECT_UPLOAD } from "./limits";
import { reserveUpload } from "./quota";
import * as storage from "./storage";

export const attachmentNotFound = (id: string) => new ApiError("CHAT_ATTACHMENT_NOT_FOUND", `Attachment ${id} not found`);

/** An upload as the API shows it, and as a message stores it. */
export function uploadedJson(a: AttachmentRow): StoredAttachment {
  return {
    asset_id: a.id,
    filename: a.filename,
    content_type: a.contentType,
    size_bytes: a.sizeBytes,
    ...(a.isImage ? { width: a.width!, height: a.height! } : {}),
  };
}

/**
 * A pending upload row for `ownerId` (its signed PUT comes later); `sizeBytes` 0 means not
 * announced (any size up to the limit). Refused past the pending-upload limits (quota.ts).
 */
export async function createPendingUpload(db: Db, ownerId: string, file: { filename?: string | null; contentType?: string | null; sizeBytes: number }) {
  return reserveUpload(db, {
    id: newId(),
    ownerId,
    filename: cleanFilename(file.filename),
    contentType: cleanContentType(file.contentType),
    sizeBytes: file.sizeBytes,
    status: "pending",
    createdAt: Date.now(),
  });
}

/**
 * Streams bytes to R2, then records the upload as complete: one call for a direct upload. The row is
 * reserved first (`receiving`, at its Content-Length or the direct maximum), so the pending-upload
 * limits hold before any byte is stored; a failed upload leaves neither row nor bytes.
 */
export async function storeUpload(env: Env, db: Db, ownerId: string, file: { body: ReadableStream<Uint8Array>; length?: number; filename: string; contentType: string }) {
  const row = await reserveUpload(db, {
    id: newId(),
    ownerId,
    filename: cleanFilename(file.filename),
    contentType: cleanContentType(file.contentType),
    sizeBytes: file.length ?? MAX_DIRECT_UPLOAD,
    status: "receiving",
    createdAt: Date.now(),
  });
  let stored: Awaited<ReturnType<typeof storage.storeOriginal>>;
  try {
    stored = await storage.storeOriginal(env, row.id, file.body, file.length, MAX_DIRECT_UPLOAD);
    if (stored.size === 0) throw new ApiError("VALIDATION_FAILED", "The upload is empty");
  } catch (err) {
    // Bytes first: a row left behind is still the cron's to find; bytes without a row would not be.
    await storage.deleteObjects(env, [row.id]);
    await deleteAttachments(db, [row.id]);
    throw err;
  }
  return finishUpload(env, db, row, stored.size, stored.head);
}

/** Decides what stored bytes are (the bytes, not the header, say whether it is an image) and records it. */
export async function finishUpload(env: Env, db: Db, row: AttachmentRow, size: number, head: Uint8Array) {
  const described = await storage.describeStored(env, row.id, head);
  const claimed = cleanContentType(row.contentType);
  const contentType = described.isImage ? described.contentType : claimed.startsWith("image/") ? "application/octet-stream" : claimed;
  const done = await completeAttachment(db, row.id, {
    contentType,
    sizeBytes: size,
    isImage: described.isImage,
    width: described.isImage ? described.width : null,
    height: described.isImage ? described.height : null,
  });
  if (!done) throw attachmentNotFound(row.id); // retired by the cron meanwhile
  return done;
}

/** The owner's upload, whatever its state; anyone else's is not found. */
export async function ownUpload(db: Db, ownerId: string, assetId: string) {
  const row = await getAttachment(db, assetId);
  if (!row || row.ownerId !== ownerId) throw attachmentNotFound(assetId);
  return row;
}

/** Completes an upload whose bytes came through its signed PUT URL (idempotent once complete). */
export async function completeSignedUpload(env: Env, db: Db, row: AttachmentRow) {
  if (row.status === "complete") return row;
  const stored = await storage.readHead(env, row.id);
  if (!stored) throw new ApiError("VALIDATION_FAILED", "No bytes were uploaded for this asset yet");
  return finishUpload(env, db, row, stored.size, stored.head);
}

/**
 * Turns `[{asset_id}]` into what a message stores, from the uploads themselves (never from the
 * client): each must be the sender's own completed upload, unused; any number of images but at
 * most one other file. The send then claims them (claimForMessage), so a race still has one winner.
 * Uploads claimed by `forMessageId` already count as unused: a retried send (its claim survived the
 * first attempt), or a scheduled message's uploads at its time (claimed under it since it was scheduled).
 */
export async function resolveAttachments(db: Db, ownerId: string, assetIds: string[], forMessageId?: string): Promise<StoredAttachment[]> {
  if (assetIds.length === 0) return [];
  if (new Set(assetIds).size !== assetIds.length) throw new ApiError("VALIDATION_FAILED", "An attachment is listed twice");
  if (assetIds.length > MAX_ATTACHMENTS) throw new ApiError("VALIDATION_FAILED", `At most ${MAX_ATTACHMENTS} attachments`);
  const found = new Map((await findUploads(db, assetIds)).map((row) => [row.id, row]));
  const stored = assetIds.map((id) => {
    const row = found.get(id);
    if (!row || row.ownerId !== ownerId || row.status !== "complete") throw attachmentNotFound(id);
    if (row.messageId && row.messageId !== forMessageId) throw attachmentInUse(id);
    return uploadedJson(row);
  });
  if (stored.filter((a) => a.width === undefined).length > 1) {
    throw new ApiError("VALIDATION_FAILED", "A message takes any number of images but at most one other file");
  }
  return stored;
}

export const attachmentInUse = (id?: string) =>
  new ApiError("CHAT_ATTACHMENT_IN_USE", id ? `Attachment ${id} is already used by another message` : "An attachment was just used by another message");

/** Removes uploads' bytes, then their rows. Never throws: what fails here the hourly cron retries. */
export async function removeUploads(deps: Deps, assetIds: string[]) {
  try {
    await storage.deleteObjects(deps.env, assetIds);
    await deleteAttachments(deps.db, assetIds);
  } catch (err) {
    console.error(JSON.stringify({ level: "warn", request_id: deps.requestId, cleanup: "uploads", error: String(err) }));
  }
}
