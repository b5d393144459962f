/** A signed URL for a message's attachment: decided in the channel's room, like every change that names a message. */
import type { Deps } from "../../env";
import { requireLiveMessage } from "../../history";
import { ApiError } from "../../platform/errors";
import { loadChannel, requireMember } from "../channels/access";
import * as storage from "./storage";
import { attachmentNotFound } from "./uploads";

export type ThumbnailSize = Parameters<typeof storage.signedFileUrl>[3];

export async function attachmentUrl(deps: Deps, me: string, channelId: string, messageId: string, attachmentId: string, size: ThumbnailSize, origin: string) {
  const access = await loadChannel(deps.db, channelId, me);
  requireMember(access);
  const message = await requireLiveMessage(deps.history(access.channel.shard), access.channel.id, messageId);
  const attachment = message.attachments.find((a) => a.asset_id === attachmentId);
  if (!attachment) throw attachmentNotFound(attachmentId);
  if (size !== "full" && attachment.width === undefined) {
    throw new ApiError("VALIDATION_FAILED", "Thumbnails exist only for images; use size=full");
  }
  return storage.signedFileUrl(deps.env, origin, attachmentId, size);
}
