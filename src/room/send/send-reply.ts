/** Replies: a thread's message, with its root's count moving in the same shard transaction. */
import * as history from "../../history";
import { messageNotFound } from "../../platform/errors";
import { notifyMessage } from "../../realtime/hubs";
import { emitToWebhooks } from "../../webhooks/dispatch";
import { queuePush } from "../../push/schedule";
import { releaseClaims } from "../../features/attachments/attachments.queries";
import { deleteMentions, keptInOrder } from "../../features/mentions/mentions.queries";
import { openReply } from "../../features/messages/messages.queries";
import { messageJson } from "../../features/messages/messages.schemas";
import { type Sending, messageEventId, permitted, posterKey } from "./send-rules";
import { withSenders } from "../../features/messages/senders";
import { isUniqueViolation } from "../../platform/db-errors";

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
  const reply = { ...fields, mentionedUserIds: mentioned };
  let stored: Awaited<ReturnType<typeof history.insertReply>>;
  try {
    stored = await history.insertReply(s.shard, reply, thread);
  } catch (err) {
    // The same id stored before (a retried call whose first answer was lost): that reply is the answer.
    const earlier = isUniqueViolation(err) ? await history.getMessage(s.shard, fields.channelId, fields.id) : undefined;
    if (!earlier) {
      await undo();
      throw err;
    }
    const message = messageJson((await withSenders(deps.db, [earlier]))[0]!);
    s.room.wal.announce(fields.channelId, "message", message, messageEventId(earlier.id));
    return { message, replayed: false };
  }
  if (!stored) {
    await undo(); // the parent went away meanwhile: nothing was stored
    throw messageNotFound();
  }
  // Stored: from here on nothing is taken back (its claims and mentions belong to it now).
  return { message: await announceReply(s, stored, opened.connected), replayed: false };
}

/**
 * A stored reply, announced by the room itself — its `message` and the root's `message_update` — then
 * the webhooks and user sockets hear of both (off the answer's path: a failure there is logged).
 */
async function announceReply({ deps, shard, room }: Sending, stored: NonNullable<Awaited<ReturnType<typeof history.insertReply>>>, connected: string[]) {
  const channelId = stored.reply.channelId;
  const [[reply, root], reactions] = await Promise.all([withSenders(deps.db, [stored.reply, stored.root]), history.reactionsFor(shard, [stored.root.id])]);
  const message = messageJson(reply!);
  const rootJson = messageJson(root!, reactions.get(root!.id));
  room.wal.announce(channelId, "message", message, messageEventId(reply!.id));
  room.wal.announce(channelId, "message_update", rootJson);
  const after = Promise.all([
    emitToWebhooks(deps, "message", channelId, message),
    emitToWebhooks(deps, "message_update", channelId, rootJson),
    notifyMessage(deps, message, connected),
    queuePush(deps.env, message),
  ]).catch((err) => console.error(JSON.stringify({ level: "warn", realtime: "reply", channel_id: channelId, error: String(err) })));
  if (deps.waitUntil) deps.waitUntil(after);
  else await after;
  return message;
}
