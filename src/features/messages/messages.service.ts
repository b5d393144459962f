/** Reading, editing and deleting messages, callable from any surface: plain arguments, no HTTP. */
import type { InlineEmote } from "../../db/schema";
import type { Deps } from "../../env";
import * as history from "../../history";
import { ApiError, messageNotFound } from "../../platform/errors";
import { publish } from "../../realtime/notify";
import { removeUploads } from "../attachments/uploads";
import { isAdminRole, loadChannel, requireMember, requirePoster } from "../channels/access";
import { checkMessageContent } from "./content";
import { messageJson } from "./messages.schemas";

export async function listMessages({ db }: Deps, me: string, channelId: string, page: history.Page) {
  const access = await loadChannel(db, channelId, me);
  requireMember(access);
  const found = await history.listMessages(db, access.channel.id, page);
  const reactions = await history.reactionsFor(db, found.messages.filter((m) => m.deletedAt === null).map((m) => m.id));
  return {
    messages: found.messages.map((m) => messageJson(m, reactions.get(m.id))),
    has_more: found.hasMore,
    ...("hasMoreAfter" in found ? { has_more_after: found.hasMoreAfter } : {}),
  };
}

/** The author edits their live message; content rules as on send. */
export async function editMessage(deps: Deps, me: string, channelId: string, messageId: string, body: string, inlineEmotes: InlineEmote[]) {
  const { db } = deps;
  const access = await loadChannel(db, channelId, me);
  await requirePoster(db, access, me);
  const message = await history.requireLiveMessage(db, access.channel.id, messageId);
  if (message.senderId !== me) throw new ApiError("CHAT_NOT_MESSAGE_AUTHOR", "You can only edit your own messages");
  checkMessageContent(body, inlineEmotes, message.attachments.length);
  const now = Date.now();
  if (!(await history.editMessage(db, message.id, body, inlineEmotes, now))) throw messageNotFound(); // deleted meanwhile
  const reactions = await history.reactionsFor(db, [message.id]);
  const edited = messageJson({ ...message, body, inlineEmotes, editedAt: now }, reactions.get(message.id));
  await publish(deps, access.channel.id, "message_update", edited);
  return edited;
}

/** The author, or the channel's owner/admins, delete a message: a tombstone stays, its uploads go. */
export async function deleteMessage(deps: Deps, me: string, channelId: string, messageId: string) {
  const { db } = deps;
  const access = await loadChannel(db, channelId, me);
  const membership = requireMember(access);
  const message = await history.requireLiveMessage(db, access.channel.id, messageId);
  if (message.senderId !== me && !isAdminRole(membership.role)) {
    throw new ApiError("CHAT_NOT_MESSAGE_AUTHOR", "Only the author or a channel admin can delete this message");
  }
  const now = Date.now();
  const assetIds = message.attachments.map((a) => a.asset_id);
  // Of racing deletes exactly one changes the row; the others answer 404 and send no event.
  if (!(await history.softDeleteMessage(db, message.id, assetIds, now))) throw messageNotFound();
  await publish(deps, access.channel.id, "message_delete", messageJson({ ...message, deletedAt: now }));
  // After the event: if R2 fails, the answer is still 204 and the hourly cron finds the unlinked uploads.
  if (assetIds.length) await removeUploads(deps, assetIds);
}
