import { completeAttachment } from "../db/queries/attachments";
import type { AttachmentRow, StoredAttachment } from "../db/schema";
import type { Db, Env } from "../env";
import { cleanContentType } from "../schemas/attachments";
import * as storage from "../storage/attachments";
import { ApiError } from "./errors";

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
  return done!;
}

/** Completes an upload whose bytes came through its signed PUT URL (idempotent once complete). */
export async function completeSignedUpload(env: Env, db: Db, row: AttachmentRow) {
  if (row.status === "complete") return row;
  const stored = await storage.readHead(env, row.id);
  if (!stored) throw new ApiError("VALIDATION_FAILED", "No bytes were uploaded for this asset yet");
  return finishUpload(env, db, row, stored.size, stored.head);
}
