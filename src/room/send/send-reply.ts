/** Replies: a thread's message, with its root's count moving in the same shard transaction. */
import * as history from "../../history";
import { messageNotFound } from "../../platform/errors";
import { notifyMessage } from "../../realtime/hubs";
import { emitToWebhooks } from "../../webhooks/dispatch";
import { releaseClaims } from "../../features/attachments/attachments.queries";
import { deleteMentions, keptInOrder } from "../../features/mentions/mentions.queries";
import { openReply } from "../../features/messages/messages.queries";
import { messageJson } from "../../features/messages/messages.schemas";
import { type Sending, messageEventId, permitted, posterKey } from "./send-rules";
import { withSenders } from "../../features/messages/senders";

/** A reply: the directory's half (mentions, conditional on the right to post), then the shard's. */
export async function sendReply(s: Sending, thread: history.ThreadTarget) {
  const { deps, input, fields } = s;
  const { db } = deps;
  const opened = await openReply(db, { channelId: fields.channelId, messageId: fields.id, senderId: fields.senderId, now: fields.now, poster: input.poster, mentionedUserIds: fields.mentionedUserIds! });
  const mentioned = keptInOrder(fields.mentionedUserIds!, opened.mentioned);
  const undo = () => db.batch([releaseClaims(db, fields.id), ...(mentioned.length ? [deleteMentions(db, fields.channelId, fields.id, mentioned)] : [])]);
  try {
    permitted(input, opened.verdict);
  } catch (err) {
    s.room.forget(posterKey(input));
    await undo();
    throw err;
  }
  await s.room.checkpoint("reply:checked");
  try {
    return { message: await storeReply(s, { ...fields, mentionedUserIds: mentioned }, thread, opened.connected), replayed: false };
  } catch (err) {
    await undo();
    throw err;
  }
}

/**
 * Stores a reply (404 if its parent went away meanwhile), then the room announces it itself — its
 * `message` and the root's `message_update` — and the webhooks and user sockets hear of both.
 */
async function storeReply({ deps, shard, room }: Sending, fields: history.NewMessage, thread: history.ThreadTarget, connected: string[]) {
  const stored = await history.insertReply(shard, fields, thread);
  if (!stored) throw messageNotFound();
  const [[reply, root], reactions] = await Promise.all([withSenders(deps.db, [stored.reply, stored.root]), history.reactionsFor(shard, [stored.root.id])]);
  const message = messageJson(reply!);
  const rootJson = messageJson(root!, reactions.get(root!.id));
  room.wal.announce(fields.channelId, "message", message, messageEventId(reply!.id));
  room.wal.announce(fields.channelId, "message_update", rootJson);
  await Promise.all([
    emitToWebhooks(deps, "message", fields.channelId, message),
    emitToWebhooks(deps, "message_update", fields.channelId, rootJson),
    notifyMessage(deps, message, connected),
  ]);
  return message;
}
