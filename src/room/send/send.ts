import type { BatchItem } from "drizzle-orm/batch";
import type { ChannelRow } from "../../db/directory";
import type { Deps } from "../../env";
import * as history from "../../history";
import type { MessageRow } from "../../history";
import { ApiError, messageNotFound } from "../../platform/errors";
import { newId } from "../../platform/ids";
import { rememberName } from "../../platform/user-names";
import { publish } from "../../realtime/notify";
import { claimForMessage, releaseClaims } from "../../features/attachments/attachments.queries";
import { attachmentInUse, resolveAttachments } from "../../features/attachments/uploads";
import { MAX_MENTIONS, deleteMentions, keptInOrder } from "../../features/mentions/mentions.queries";
import { checkMessageContent } from "../../features/messages/content";
import { openSend, readPosting, recordDeletedPosition } from "../../features/messages/messages.queries";
import { messageJson } from "../../features/messages/messages.schemas";
import { sendReply } from "./send-reply";
import { type SendInput, type SendRoom, type Sending, json, messageEventId, permitted, posterKey } from "./send-rules";

export type { SendInput, SendRoom } from "./send-rules";

/**
 * Sends a message once; runs in the channel's room, which hands out positions. Who may post comes
 * from the room's memory or one directory read (a refused send writes nothing); then a top-level
 * message goes to the directory (position, cursor, mentions, each conditional on the right to post,
 * read again there) and to its shard at the same time: one round trip. When the two disagree (the
 * right to post went away meanwhile) what the other half wrote is taken back. A retry with a key the
 * room has seen in this channel answers with the first message and costs no position; a retried
 * call with the same `messageId` answers with the message it stored.
 *
 * A reply (`parentId`) takes no position and writes nothing to the directory but its mentions: it
 * never counts as unread, never moves the sender's cursor, does not reorder the channel list (Slack
 * does not either) or unhide a DM. Its root's reply count moves in the reply's own shard transaction,
 * and the root's new state goes out as a `message_update` after the reply's `message`.
 */
export async function sendMessage(deps: Deps, input: SendInput, room: SendRoom) {
  const { db } = deps;
  const emotes = input.inlineEmotes ?? [];
  checkMessageContent(input.body, emotes, input.assetIds.length);
  const requested = input.mentionedUserIds ?? [];
  if (requested.length > MAX_MENTIONS) throw tooManyMentions();
  const now = Date.now();
  const { channelId, senderId } = input;

  const who = posterKey(input);
  const verdict = room.verdict(who) ?? (await readPosting(db, channelId, senderId, input.poster));
  const channel = permitted(input, verdict);
  room.remember(who, verdict);
  const shard = deps.history(channel.shard);

  // A reply needs its parent: an unknown, deleted or foreign one is refused before anything is claimed.
  const thread = input.parentId ? await history.resolveThread(shard, channelId, input.parentId) : undefined;
  // A key used before in this channel (the room keeps them): its message, or its id when the first
  // attempt never stored it (then this attempt stores it under that id).
  const key = input.idempotencyKey;
  const prior = key ? room.keys.find(senderId, key, now) : undefined;
  if (prior) {
    const row = await history.getMessage(shard, channelId, prior);
    if (row) return { message: await answerAgain(deps, room, row), replayed: true };
  }
  const attachments = await resolveAttachments(db, input.uploaderId, input.assetIds);
  const id = prior ?? input.messageId ?? newId(now);
  if (attachments.length && !(await claimForMessage(db, input.assetIds, input.uploaderId, id))) throw attachmentInUse();
  const mentions = [...new Set(requested)].filter((u) => u !== senderId);
  const fields = { id, channelId, position: null, senderId, body: input.body, inlineEmotes: emotes, attachments, mentionedUserIds: mentions, now };
  const sending = { deps, input, room, shard, fields };
  // Written ahead of the message: a retry after a reset mid-send finds the id (see SendKeys).
  if (key && !prior) room.keys.record(senderId, key, id, now);
  try {
    return await (thread ? sendReply(sending, thread) : sendTopLevel(sending, channel));
  } catch (err) {
    // A refusal stores nothing: the key is free again. After any other failure it stays, so the
    // retry looks for the message under the same id.
    if (key && err instanceof ApiError) room.keys.release(senderId, key, id);
    throw err;
  }
}

/** The directory's and the shard's halves at once; a position conflict (see `SendRoom.skipTo`) is retried once. */
async function sendTopLevel(s: Sending, channel: ChannelRow) {
  s.room.begin(s.fields.id);
  try {
    await s.room.checkpoint("send:checked");
    return await sendOnce(s, channel);
  } finally {
    s.room.end(s.fields.id);
  }
}

async function sendOnce(s: Sending, channel: ChannelRow) {
  const { deps, input, room, shard, fields } = s;
  for (let attempt = 1; ; attempt++) {
    const position = room.takePosition(channel.lastPosition);
    const m = { ...fields, position };
    const [opened, stored] = await Promise.allSettled([
      openSend(deps.db, { channelId: m.channelId, messageId: m.id, senderId: m.senderId, now: m.now, poster: input.poster, position, dm: channel.type === "dm", mentionedUserIds: m.mentionedUserIds! }),
      history.insertMessage(shard, m),
    ]);
    const dir = opened.status === "fulfilled" ? opened.value : undefined;
    if (dir?.tookPosition && stored.status === "fulfilled") {
      return { message: await announce(s, dir, stored.value), replayed: false };
    }
    const conflict = stored.status === "rejected" ? history.insertConflict(stored.reason) : undefined;
    // A position left taken by an earlier instance of the room: skip past it and try once more.
    const retrying = conflict === "position" && attempt === 1 && dir?.tookPosition === true;
    // Take back what the other half wrote: the shard's row; the position (given back, or recorded
    // as deleted so unread counts skip it) unless a stored message holds it; the new mention rows.
    const undoing: Promise<unknown>[] = [];
    if (stored.status === "fulfilled") undoing.push(history.discardMessage(shard, m));
    const { db } = deps;
    const dirUndo: BatchItem<"sqlite">[] = [
      // A retried call's message keeps its uploads and mentions (same id); so does the retry below.
      ...(conflict === "id" || retrying ? [] : [releaseClaims(db, m.id)]),
      ...(dir?.mentioned.length && conflict !== "id" ? [deleteMentions(db, m.channelId, m.id, dir.mentioned)] : []),
    ];
    await Promise.all(undoing);
    if (conflict !== "position" && !(dir && !dir.tookPosition && room.giveBack(position))) dirUndo.push(recordDeletedPosition(db, m.channelId, position, m.senderId));
    if (dirUndo.length) await db.batch(dirUndo as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);

    if (dir && !dir.tookPosition) {
      room.forget(posterKey(input));
      permitted(input, await readPosting(db, m.channelId, m.senderId, input.poster)); // the rule that refused it
      throw new Error("the send's conditional writes and checkPoster disagree");
    }
    if (stored.status === "fulfilled") throw (opened as PromiseRejectedResult).reason;
    if (retrying) {
      room.skipTo(await history.lastStoredPosition(shard, m.channelId));
      continue;
    }
    if (conflict !== "id") throw stored.reason;
    const row = await history.getMessage(shard, m.channelId, m.id);
    if (!row) throw messageNotFound();
    return { message: await answerAgain(deps, room, row), replayed: false };
  }
}

/** The `message` event of a stored message; its event id is the message's, so announcing it twice makes one event. */
async function announce(s: Sending, dir: Awaited<ReturnType<typeof openSend>>, row: MessageRow) {
  const { deps, fields, shard } = s;
  const mentioned = keptInOrder(fields.mentionedUserIds!, dir.mentioned);
  // Mentions of non-members were stored with the message (the directory had not filtered them yet).
  if (mentioned.length !== row.mentionedUserIds.length) await history.keepMentions(shard, row.id, mentioned);
  if (dir.sender) rememberName(fields.senderId, dir.sender);
  const sender = { senderName: dir.sender?.name ?? fields.senderId, senderKind: dir.sender?.kind ?? ("user" as const) };
  const message = messageJson({ ...row, mentionedUserIds: mentioned, ...sender });
  await publish(deps, fields.channelId, "message", message, { connected: dir.connected, eventId: messageEventId(row.id) });
  return message;
}

/**
 * The message a retry finds stored (its own first attempt, or the first send with its key). If that
 * attempt stored it but never announced it (its room was reset in between), it is announced now.
 */
async function answerAgain(deps: Deps, room: SendRoom, row: MessageRow) {
  const message = await json(deps, row);
  const eventId = messageEventId(row.id);
  if (row.parentId === null && room.unannounced(row.id, eventId, row.createdAt)) await publish(deps, row.channelId, "message", message, { eventId });
  return message;
}

const tooManyMentions = () =>
  new ApiError("VALIDATION_FAILED", `At most ${MAX_MENTIONS} mentioned users`, [
    { in: "json", path: "mentioned_user_ids", code: "too_big", message: `at most ${MAX_MENTIONS} entries` },
  ]);
