/** Reading, editing and deleting messages, callable from any surface: plain arguments, no HTTP. */
import { isHeld } from "../retention/retention.queries";
import type { Deps } from "../../env";
import * as history from "../../history";
import type { InlineEmote } from "../../history";
import { ApiError, messageNotFound } from "../../platform/errors";
import { publish } from "../../realtime/notify";
import { markDeleted } from "../attachments/attachments.queries";
import { removeUploads } from "../attachments/uploads";
import { type IdWindow, ownShadowMessages } from "../../history/shadow";
import { screenBody } from "../moderation/blocklist";
import { fileBlocklistReport } from "../moderation/reports";
import { APP_MODERATOR, isAdminRole, loadAsAppModerator, loadChannel, requireMember, requirePoster } from "../channels/access";
import { appendAudit } from "../moderation/audit";
import { knownShard } from "../channels/shard-memo";
import { deleteMentions, insertMentions, keptInOrder, mentionableMembers } from "../mentions/mentions.queries";
import { checkMessageContent } from "./content";
import { recordDeletedPosition } from "./messages.queries";
import { messageJson } from "./messages.schemas";
import { withSenders } from "./senders";

/**
 * A page of the channel's top-level messages. When this isolate knows the channel's shard (it never
 * changes), the page and its reactions are read while access is checked: one round trip. The page
 * is only returned once the caller is known to be a member.
 */
export async function listMessages(deps: Deps, me: string, channelId: string, page: history.Page) {
  const read = (shard: string) => history.listMessages(deps.history(shard), channelId, page);
  const shard = knownShard(channelId);
  const early = shard ? read(shard) : undefined;
  early?.catch(() => {}); // awaited below unless access is refused
  const access = await loadChannel(deps.db, channelId, me);
  requireMember(access);
  const found = await (early ?? read(access.channel.shard));
  // A shadow-banned reader sees their own shadow messages (DESIGN §15): nobody else ever reads them.
  const own = access.standing?.shadowUntil !== undefined ? await shadowInPage(deps, access.channel.shard, channelId, me, page, found) : [];
  const rows = own.length ? [...found.messages, ...own].sort((a, b) => (a.id < b.id ? 1 : -1)) : found.messages;
  const messages = await withSenders(deps.db, rows);
  return {
    messages: messages.map((m) => messageJson(m, found.reactions.get(m.id))),
    has_more: found.hasMore,
    ...(found.hasMoreAfter !== undefined ? { has_more_after: found.hasMoreAfter } : {}),
  };
}

/** The reader's shadow messages in the ids this page covers (the page's cursors are unchanged: its oldest and newest stay regular messages). */
function shadowInPage(deps: Deps, shard: string, channelId: string, me: string, page: history.Page, found: { messages: { id: string }[]; hasMore: boolean }) {
  const ids = found.messages.map((m) => m.id);
  const window: IdWindow =
    page.after || page.around
      ? { above: ids.at(-1), below: ids[0], inclusive: true }
      : { below: page.before, above: found.hasMore ? ids.at(-1) : undefined };
  if ((page.after || page.around) && !ids.length) return Promise.resolve([]);
  return ownShadowMessages(deps.history(shard), channelId, me, window);
}

export const notYourMessage = () => new ApiError("CHAT_NOT_MESSAGE_AUTHOR", "You can only edit your own messages");
export const notDeletable = () => new ApiError("CHAT_NOT_MESSAGE_AUTHOR", "Only the author or a channel admin can delete this message");

/**
 * The author edits their live message; content rules as on send. `mentionedUserIds` (when given)
 * replaces the mentions, filtered as on send against the members of now; omitted keeps them.
 */
export async function editMessage(
  deps: Deps,
  me: string,
  channelId: string,
  messageId: string,
  body: string,
  inlineEmotes: InlineEmote[],
  mentionedUserIds?: string[],
) {
  const { db } = deps;
  const access = await loadChannel(db, channelId, me);
  await requirePoster(db, access, me);
  const shard = deps.history(access.channel.shard);
  const message = await history.requireLiveMessage(shard, access.channel.id, messageId);
  if (message.senderId !== me) throw notYourMessage();
  checkMessageContent(body, inlineEmotes, message.attachments.length);
  // The blocklist applies to edits as to sends (DESIGN §15): blocked → 422, masked → stored masked.
  const screened = await screenBody(db, body);
  body = screened.body;
  const now = Date.now();
  const mentioned = mentionedUserIds && keptInOrder(mentionedUserIds, await mentionableMembers(db, access.channel.id, me, mentionedUserIds));
  // Under a legal hold the version being replaced is kept (DESIGN §17); the user sees the edit as usual.
  if (await isHeld(db, access.channel.id, message.senderId)) await history.keepOriginal(shard, message, "edit", now);
  if (!(await history.editMessage(shard, message.id, body, inlineEmotes, now, mentioned))) throw messageNotFound(); // deleted meanwhile
  if (mentioned) {
    await replaceMentions(deps, access.channel.id, message.id, me, message.mentionedUserIds, mentioned);
    // A delete that committed after our edit removed the mentions it saw; rows we wrote after that
    // would outlive the message, so they go again if it is gone by now (either order is covered).
    const current = await history.getMessage(shard, access.channel.id, message.id);
    if (mentioned.length && current?.deletedAt !== null) await db.batch([deleteMentions(db, access.channel.id, message.id, mentioned)]);
  }
  const [reactions, [withSender]] = await Promise.all([history.reactionsFor(shard, [message.id]), withSenders(db, [message])]);
  const edited = messageJson(
    { ...withSender!, body, inlineEmotes, editedAt: now, mentionedUserIds: mentioned ?? message.mentionedUserIds },
    reactions.get(message.id),
  );
  await publish(deps, access.channel.id, "message_update", edited);
  if (screened.flagged) await fileBlocklistReport(deps, edited);
  return edited;
}

/** The author, or the channel's owner/admins, delete a message: a tombstone stays, its uploads go. */
export async function deleteMessage(deps: Deps, me: string, channelId: string, messageId: string) {
  const { db } = deps;
  // The app's moderators (a report resolved through the admin API) delete in any channel.
  const app = me === APP_MODERATOR;
  const access = app ? await loadAsAppModerator(db, channelId) : await loadChannel(db, channelId, me);
  const moderator = app || isAdminRole(requireMember(access).role);
  const shard = deps.history(access.channel.shard);
  const message = await history.requireLiveMessage(shard, access.channel.id, messageId);
  if (message.senderId !== me && !moderator) {
    throw notDeletable();
  }
  const now = Date.now();
  // Under a legal hold the original is kept (DESIGN §17), with its uploads' bytes: the user sees the tombstone as usual.
  const held = await isHeld(db, access.channel.id, message.senderId);
  if (held) await history.keepOriginal(shard, message, "delete", now);
  const assetIds = held ? [] : message.attachments.map((a) => a.asset_id);
  const by = history.deletedBy(message.senderId, me);
  // Of racing deletes exactly one changes the row; the others answer 404 and send no event.
  const deleted = await history.softDeleteMessage(shard, message, now, by);
  if (!deleted) throw messageNotFound();
  // The directory learns of it: unread counts skip the position; nobody can reuse the uploads.
  // (A reply has no position: it never counted.)
  const directoryWrites = [
    ...(message.position !== null ? [recordDeletedPosition(db, access.channel.id, message.position, message.senderId)] : []),
    ...(assetIds.length ? [markDeleted(db, assetIds)] : []),
    ...(deleted.mentionedUserIds.length ? [deleteMentions(db, access.channel.id, message.id, deleted.mentionedUserIds)] : []),
    // A moderator's delete of someone else's message is a moderation action (DESIGN §15).
    ...(message.senderId !== me ? [appendAudit(db, { actor: me, action: "message_delete", targetUserId: message.senderId, channelId: access.channel.id, messageId: message.id }, now)] : []),
  ];
  const [first, ...rest] = directoryWrites;
  if (first) await db.batch([first, ...rest]);
  const root = deleted.root;
  const gone = { ...message, deletedAt: now, deletedBy: by, pinnedAt: null, pinnedBy: null }; // as stored now: a delete unpins
  const [[tombstone, rootWithSender], rootReactions] = await Promise.all([
    withSenders(db, root ? [gone, root] : [gone]),
    root ? history.reactionsFor(shard, [root.id]) : undefined,
  ]);
  await publish(deps, access.channel.id, "message_delete", messageJson(tombstone!));
  // A deleted reply leaves its thread: the root's reply_count and last_reply_at changed with it.
  if (rootWithSender) await publish(deps, access.channel.id, "message_update", messageJson(rootWithSender, rootReactions?.get(rootWithSender.id)));
  // After the event: if R2 fails, the answer is still 204 and the hourly cron removes the uploads.
  if (assetIds.length) await removeUploads(deps, assetIds);
}

/** The directory's mention rows of an edited message become `now` (one batch: old rows out, new in). */
async function replaceMentions(deps: Deps, channelId: string, messageId: string, senderId: string, before: string[], now: string[]) {
  const { db } = deps;
  const writes = [
    ...(before.length ? [deleteMentions(db, channelId, messageId, before)] : []),
    ...(now.length ? [insertMentions(db, { channelId, messageId, senderId, userIds: now })] : []),
  ];
  const [first, ...rest] = writes;
  if (first) await db.batch([first, ...rest]);
}
