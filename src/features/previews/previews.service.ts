/** A moderator (the channel's owner/admins) or the author removes a message's link preview: decided in the channel's room. */
import type { Deps } from "../../env";
import * as history from "../../history";
import { ApiError, messageNotFound } from "../../platform/errors";
import { announcePreviews } from "./announce";
import { isAdminRole, loadChannel, requireMember } from "../channels/access";

/** Removes the preview of `url` (every preview when omitted); the link is never previewed again on this message. */
export async function removePreview(deps: Deps, me: string, channelId: string, messageId: string, url?: string) {
  const access = await loadChannel(deps.db, channelId, me);
  const membership = requireMember(access);
  const db = deps.history(access.channel.shard);
  const message = await history.requireLiveMessage(db, access.channel.id, messageId);
  if (message.senderId !== me && !isAdminRole(membership.role)) {
    throw new ApiError("CHAT_NOT_MESSAGE_AUTHOR", "Only the author or a channel owner/admin can remove a preview");
  }
  const state = message.linkPreviews;
  const gone = (state?.previews ?? []).filter((p) => url === undefined || p.url === url);
  if (!state || !gone.length) throw new ApiError("NOT_FOUND", url === undefined ? "This message has no previews" : "This message has no preview of that link");
  const next = { ...state, previews: state.previews.filter((p) => !gone.includes(p)), removed: [...(state.removed ?? []), ...gone.map((p) => p.url)] };
  if (!(await history.setLinkPreviews(db, access.channel.id, messageId, next))) throw messageNotFound();
  return announcePreviews(deps, access.channel.id, db, { ...message, linkPreviews: next });
}
