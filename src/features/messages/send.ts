import type { ChannelRow } from "../../db/directory";
import type { Deps, HistoryDb } from "../../env";
import * as history from "../../history";
import type { InlineEmote, MessageRow, StoredAttachment } from "../../history";
import { isUniqueViolation } from "../../platform/db-errors";
import { ApiError, messageNotFound } from "../../platform/errors";
import { newId } from "../../platform/ids";
import { rememberName } from "../../platform/user-names";
import { publish } from "../../realtime/notify";
import { claimForMessage, releaseClaims } from "../attachments/attachments.queries";
import { attachmentInUse, resolveAttachments } from "../attachments/uploads";
import { checkPoster, loadChannel, requirePoster, visibleChannel } from "../channels/access";
import { MAX_MENTIONS, deleteMentions, keptInOrder } from "../mentions/mentions.queries";
import { checkMessageContent } from "./content";
import { type Poster, openSend, recordDeletedPosition } from "./messages.queries";
import { messageJson } from "./messages.schemas";
import { withSenders } from "./senders";

export interface SendInput {
  /** Where: the channel row when the caller already read it (the integration API), else its id. */
  channel: ChannelRow | { id: string };
  /** Checked in the send's own directory batch (see `Poster`). */
  poster: Poster;
  /** The message's author: a user id, or `pub_<n>` for a publisher. */
  senderId: string;
  /** Whose uploads the message may use (the user, or the integration that uploaded them). */
  uploaderId: string;
  body: string;
  inlineEmotes?: InlineEmote[];
  assetIds: string[];
  idempotencyKey?: string;
  /** Users to mention (at most 50): non-members and the sender are dropped; the message keeps the rest. */
  mentionedUserIds?: string[];
  /** Extra rules on the resolved uploads (the integration API checks declared types). */
  checkAttachments?: (stored: StoredAttachment[]) => void;
  /** Reply in this message's thread (a reply to a reply joins the root's); absent: a top-level message. */
  parentId?: string;
}

/**
 * Sends a message once. A plain message costs two D1 round trips: the directory batch of `openSend`
 * (who may post, the sender's name, the connected members, the position and cursor, conditional on
 * the right to post) and the shard batch storing the message with its idempotency key; then the
 * `message` event. A retry with a used key finds out at the shard (UNIQUE) and answers with the
 * first message; the position it took counts as deleted. Uploads and replies add their reads first.
 *
 * A reply (`parentId`) takes no position and writes nothing to the directory but its mentions: it
 * never counts as unread, never moves the sender's cursor, does not reorder the channel list (Slack
 * does not either) or unhide a DM. Its root's reply count moves in the reply's own shard transaction,
 * and the root's new state goes out as a `message_update` after the reply's `message`.
 */
export async function sendMessage(deps: Deps, input: SendInput) {
  const { db } = deps;
  const emotes = input.inlineEmotes ?? [];
  checkMessageContent(input.body, emotes, input.assetIds.length);
  const mentionIds = input.mentionedUserIds ?? [];
  if (mentionIds.length > MAX_MENTIONS) throw tooManyMentions();
  const now = Date.now();
  const key = input.idempotencyKey;
  const channelId = input.channel.id;

  // A reply needs its shard first: an unknown, deleted or foreign parent is refused before anything
  // is claimed or counted. Uploads are resolved and claimed before the position is taken.
  let known = "shard" in input.channel ? input.channel : undefined;
  if (input.parentId && !known) known = (await requireSendable(deps, channelId, input)).channel;
  const thread = input.parentId ? await history.resolveThread(deps.history(known!.shard), channelId, input.parentId) : undefined;
  const attachments = await resolveAttachments(db, input.uploaderId, input.assetIds);
  input.checkAttachments?.(attachments);
  const id = newId(now);
  if (attachments.length && !(await claimForMessage(db, input.assetIds, input.uploaderId, id))) throw attachmentInUse();

  const opened = await openSend(db, { channelId, messageId: id, senderId: input.senderId, now, poster: input.poster, takesPosition: !thread, mentionedUserIds: mentionIds });
  const { position } = opened;
  const mentioned = keptInOrder(mentionIds, opened.mentioned);
  const undo = () =>
    db.batch([
      releaseClaims(db, id),
      ...(position !== null ? [recordDeletedPosition(db, channelId, position, input.senderId)] : []),
      ...(mentioned.length ? [deleteMentions(db, channelId, id, mentioned)] : []),
    ]);
  let channel: ChannelRow | undefined;
  try {
    channel = refusedOrChannel(input, opened, thread !== undefined);
    if (!channel) throw new Error("the send's conditional writes and checkPoster disagree");
  } catch (err) {
    await undo(); // a refused send wrote nothing but the upload claims made above
    throw err;
  }
  const shard = deps.history(channel.shard);
  const sender = { senderName: opened.sender?.name ?? input.senderId, senderKind: opened.sender?.kind ?? ("user" as const) };
  if (opened.sender) rememberName(input.senderId, opened.sender);
  try {
    const fields = { id, channelId, position, senderId: input.senderId, body: input.body, inlineEmotes: emotes, attachments, mentionedUserIds: mentioned, now, idempotencyKey: key };
    if (thread) return { message: await storeReply(deps, shard, fields, thread, opened.connected), replayed: false };
    const message = messageJson({ ...(await history.insertMessage(shard, fields)), ...sender });
    await publish(deps, channelId, "message", message, { connected: opened.connected });
    return { message, replayed: false };
  } catch (err) {
    // A position taken but holding no message counts as deleted; the uploads are free again, and
    // nobody is mentioned by it.
    await undo();
    // The key was used before (or a concurrent retry with it won the race): answer with its message.
    const raced = key && isUniqueViolation(err) ? await history.findByIdempotencyKey(shard, input.senderId, key, now) : undefined;
    if (!raced) throw err;
    return { message: await json(deps, raced), replayed: true };
  }
}

/** A member's send to a channel not read yet: the channel, or the error a refused send gets. */
async function requireSendable(deps: Deps, channelId: string, input: SendInput) {
  const access = await loadChannel(deps.db, channelId, input.senderId);
  if (input.poster.kind === "member") await requirePoster(deps.db, access, input.senderId);
  return access;
}

/**
 * After `openSend`: the error for a refused send (read in the same transaction as the conditional
 * writes, so it names the rule that stopped them), else the channel. Undefined only if the SQL and
 * the JavaScript forms of the rule disagree (a bug).
 */
function refusedOrChannel(input: SendInput, opened: Awaited<ReturnType<typeof openSend>>, isReply: boolean): ChannelRow | undefined {
  const { poster } = input;
  if (poster.kind === "member") {
    const access = visibleChannel(opened.access);
    checkPoster(access, access.blocked);
  } else {
    // The integration API's order: the publisher, then the conversation (private ones are not addressable).
    if (!opened.livePublisher) throw new ApiError("CHAT_USER_NOT_FOUND", `Publisher ${poster.publisherId} not found`);
    const channel = opened.access?.channel;
    if (!channel || (channel.type === "dm" && !poster.intoDm)) throw new ApiError("CHAT_CHANNEL_NOT_FOUND", "Conversation not found");
    if (channel.archived) throw new ApiError("CHAT_CHANNEL_ARCHIVED", "This conversation is archived");
  }
  return isReply || opened.position !== null ? opened.access!.channel : undefined;
}

const tooManyMentions = () =>
  new ApiError("VALIDATION_FAILED", `At most ${MAX_MENTIONS} mentioned users`, [
    { in: "json", path: "mentioned_user_ids", code: "too_big", message: `at most ${MAX_MENTIONS} entries` },
  ]);

const json = async (deps: Deps, row: MessageRow) => messageJson((await withSenders(deps.db, [row]))[0]!);

/** Stores a reply (404 if its parent went away meanwhile), then its `message` and the root's `message_update`. */
async function storeReply(deps: Deps, shard: HistoryDb, fields: history.NewMessage, thread: history.ThreadTarget, connected: string[]) {
  const stored = await history.insertReply(shard, fields, thread);
  if (!stored) throw messageNotFound();
  const [[reply, root], reactions] = await Promise.all([withSenders(deps.db, [stored.reply, stored.root]), history.reactionsFor(shard, [stored.root.id])]);
  const message = messageJson(reply!);
  await publish(deps, fields.channelId, "message", message, { connected });
  await publish(deps, fields.channelId, "message_update", messageJson(root!, reactions.get(root!.id)));
  return message;
}
