import type { ChannelRow } from "../../db/directory";
import type { Deps, HistoryDb } from "../../env";
import * as history from "../../history";
import type { InlineEmote, MessageRow, StoredAttachment } from "../../history";
import { isUniqueViolation } from "../../platform/db-errors";
import { ApiError, messageNotFound } from "../../platform/errors";
import { newId } from "../../platform/ids";
import { publish } from "../../realtime/notify";
import { claimForMessage, releaseClaims } from "../attachments/attachments.queries";
import { attachmentInUse, resolveAttachments } from "../attachments/uploads";
import { MAX_MENTIONS, deleteMentions, insertMentions, keptInOrder } from "../mentions/mentions.queries";
import { checkMessageContent } from "./content";
import { recordDeletedPosition, takePosition } from "./messages.queries";
import { messageJson } from "./messages.schemas";
import { withSenders } from "./senders";

export interface SendInput {
  channel: ChannelRow;
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
 * Sends a message once: content rules, idempotent replay, upload claims (directory), the channel's
 * next position (directory), the message and its key (the channel's history shard), then the
 * `message` event. Callers have already decided the sender may post here.
 *
 * A reply (`parentId`) takes no position and writes nothing to the directory: it never counts as
 * unread, never moves the sender's cursor, does not reorder the channel list (Slack does not either)
 * or unhide a DM. Its root's reply count moves in the reply's own shard transaction, and the root's
 * new state goes out as a `message_update` after the reply's `message`.
 */
export async function sendMessage(deps: Deps, input: SendInput) {
  const { db } = deps;
  const shard = deps.history(input.channel.shard);
  const emotes = input.inlineEmotes ?? [];
  checkMessageContent(input.body, emotes, input.assetIds.length);
  const mentionIds = input.mentionedUserIds ?? [];
  if (mentionIds.length > MAX_MENTIONS) throw tooManyMentions();
  const now = Date.now();
  const key = input.idempotencyKey;
  const replay = key ? await history.findByIdempotencyKey(shard, input.senderId, key, now) : undefined;
  if (replay) return { message: await json(deps, replay), replayed: true };

  // An unknown, deleted or foreign parent is refused before anything is claimed or counted.
  const thread = input.parentId ? await history.resolveThread(shard, input.channel.id, input.parentId) : undefined;
  const attachments = await resolveAttachments(db, input.uploaderId, input.assetIds);
  input.checkAttachments?.(attachments);
  const id = newId(now);
  if (attachments.length && !(await claimForMessage(db, input.assetIds, input.uploaderId, id))) throw attachmentInUse();
  // Mentions: kept = members other than the sender. A top-level message writes them in its position's
  // batch; a reply, which takes no position, writes them on their own.
  const mentionWrite = mentionIds.length ? insertMentions(db, { channelId: input.channel.id, messageId: id, senderId: input.senderId, userIds: mentionIds }) : undefined;
  let position: number | null = null;
  let keptRows: { userId: string }[] = [];
  if (thread) keptRows = mentionWrite ? await mentionWrite : [];
  else {
    const taken = await takePosition(db, { channelId: input.channel.id, messageId: id, senderId: input.senderId, now, unhide: input.channel.type === "dm" }, mentionWrite);
    position = taken.position;
    keptRows = taken.also ?? [];
  }
  const mentioned = keptInOrder(mentionIds, keptRows.map((r) => r.userId));
  try {
    const fields = { id, channelId: input.channel.id, position, senderId: input.senderId, body: input.body, inlineEmotes: emotes, attachments, mentionedUserIds: mentioned, now, idempotencyKey: key };
    if (thread) return { message: await storeReply(deps, shard, fields, thread), replayed: false };
    const message = await json(deps, await history.insertMessage(shard, fields));
    await publish(deps, input.channel.id, "message", message);
    return { message, replayed: false };
  } catch (err) {
    // A position taken but holding no message counts as deleted; the uploads are free again, and
    // nobody is mentioned by it.
    await db.batch([
      releaseClaims(db, id),
      ...(position !== null ? [recordDeletedPosition(db, input.channel.id, position, input.senderId)] : []),
      ...(mentioned.length ? [deleteMentions(db, input.channel.id, id, mentioned)] : []),
    ]);
    // A concurrent retry with the same key won the race: answer with its message.
    const raced = key && isUniqueViolation(err) ? await history.findByIdempotencyKey(shard, input.senderId, key, now) : undefined;
    if (!raced) throw err;
    return { message: await json(deps, raced), replayed: true };
  }
}

const tooManyMentions = () =>
  new ApiError("VALIDATION_FAILED", `At most ${MAX_MENTIONS} mentioned users`, [
    { in: "json", path: "mentioned_user_ids", code: "too_big", message: `at most ${MAX_MENTIONS} entries` },
  ]);

const json = async (deps: Deps, row: MessageRow) => messageJson((await withSenders(deps.db, [row]))[0]!);

/** Stores a reply (404 if its parent went away meanwhile), then its `message` and the root's `message_update`. */
async function storeReply(deps: Deps, shard: HistoryDb, fields: history.NewMessage, thread: history.ThreadTarget) {
  const stored = await history.insertReply(shard, fields, thread);
  if (!stored) throw messageNotFound();
  const [[reply, root], reactions] = await Promise.all([withSenders(deps.db, [stored.reply, stored.root]), history.reactionsFor(shard, [stored.root.id])]);
  const message = messageJson(reply!);
  await publish(deps, fields.channelId, "message", message);
  await publish(deps, fields.channelId, "message_update", messageJson(root!, reactions.get(root!.id)));
  return message;
}
