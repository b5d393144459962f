import { findForMessage } from "../db/queries/attachments";
import type { StoredAttachment } from "../db/schema";
import type { Db } from "../env";
import { ApiError } from "./errors";
import { uploadedJson } from "./uploads";

export const MAX_ATTACHMENTS = 10;

/**
 * Turns `[{asset_id}]` into what a message stores, from the uploads themselves (never from the
 * client): each must be the sender's own completed upload, unused; any number of images but at
 * most one other file.
 */
export async function resolveAttachments(db: Db, ownerId: string, assetIds: string[]): Promise<StoredAttachment[]> {
  if (assetIds.length === 0) return [];
  if (new Set(assetIds).size !== assetIds.length) throw new ApiError("VALIDATION_FAILED", "An attachment is listed twice");
  if (assetIds.length > MAX_ATTACHMENTS) throw new ApiError("VALIDATION_FAILED", `At most ${MAX_ATTACHMENTS} attachments`);
  const found = new Map((await findForMessage(db, assetIds)).map((r) => [r.row.id, r]));
  const stored = assetIds.map((id) => {
    const entry = found.get(id);
    if (!entry || entry.row.ownerId !== ownerId || entry.row.status !== "complete") {
      throw new ApiError("CHAT_ATTACHMENT_NOT_FOUND", `Attachment ${id} not found`);
    }
    if (entry.usedBy) throw new ApiError("CHAT_ATTACHMENT_IN_USE", `Attachment ${id} is already used by another message`);
    return uploadedJson(entry.row);
  });
  if (stored.filter((a) => a.width === undefined).length > 1) {
    throw new ApiError("VALIDATION_FAILED", "A message takes any number of images but at most one other file");
  }
  return stored;
}
