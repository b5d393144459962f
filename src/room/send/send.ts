import type { ChannelRow } from "../../db/directory";
import type { Deps, HistoryDb } from "../../env";
import * as history from "../../history";
import type { MessageRow } from "../../history";
import { ApiError } from "../../platform/errors";
import { idTime, isId, newId } from "../../platform/ids";
import { OFF_PATH_CALLS, notifyMessage } from "../../realtime/hubs";
import { claimForMessage, releaseClaims } from "../../features/attachments/attachments.queries";
import { attachmentInUse, resolveAttachments } from "../../features/attachments/uploads";
import { MAX_MENTIONS, keptInOrder, mentionableMembers } from "../../features/mentions/mentions.queries";
import { checkMessageContent } from "../../features/messages/content";
import { readPosting } from "../../features/messages/messages.queries";
import { createDb } from "../../platform/db";
import { messageJson } from "../../features/messages/messages.schemas";
import { withSenders } from "../../features/messages/senders";
import { screenBody } from "../../features/moderation/blocklist";
import { fileBlocklistReport } from "../../features/moderation/reports";
import { acceptShadow, isShadowed } from "./shadow-send";
import { threadRoot, withThread } from "../pending-changes";
import { messageNotFound } from "../../platform/errors";
import { type SendInput, type SendRoom, type Sending, json, messageEventId, permitted, posterKey, slowModeMs } from "./send-rules";

export type { SendInput, SendRoom } from "./send-rules";

/**
 * Sends a message once; runs in the channel's room. Who may post comes from the room's memory or
 * one directory read; a top-level message is then accepted write-ahead (`acceptTopLevel`): durable in
 * the room and broadcast before D1 has it. A retried call (same `messageId`) or a key the room has
 * seen in this channel answers with the first message and costs no position.
 *
 * A reply (`parentId`) is accepted the same way, with its root's new state (`message_update`) in the
 * same transaction; it takes no position and writes nothing to the directory but its mentions: it
 * never counts as unread, never moves the sender's cursor, does not reorder the channel list (Slack
 * does not either) or unhide a DM. The flush stores it and recounts its root's replies.
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
  room.wal.checkBacklog();
  const shard = deps.history(channel.shard);

  // A reply needs its parent: an unknown, deleted or foreign one is refused before anything is claimed
  // (the room's copy when D1 does not hold it yet).
  const thread = input.parentId ? await resolveThread(room, shard, channelId, input.parentId) : undefined;
  // A retried call (same message id), or a key used before in this channel (the room keeps them):
  // the message it made, or — when the first attempt never got that far — its id for this attempt.
  if (input.messageId) {
    const again = await findAccepted(deps, room, shard, channelId, input.messageId, false);
    if (again) return { ...again, replayed: false };
  }
  const key = input.idempotencyKey;
  const prior = key ? room.keys.find(senderId, key, now) : undefined;
  if (prior) {
    const again = await findAccepted(deps, room, shard, channelId, prior, true);
    if (again) return { ...again, replayed: true };
  }
  // The blocklist (DESIGN §15): a blocked text is refused here, before anything is claimed; a masked
  // one is stored (and announced) masked; a flagged one gets the system's report once accepted.
  const screened = await screenBody(db, input.body);
  const shadowed = isShadowed(input, verdict, now);
  // Slow mode refuses before any upload is claimed; it is checked again, and recorded, in the accept step.
  const slowMs = slowModeMs(input, verdict, channel);
  if (slowMs) room.slowMode.check(senderId, slowMs, now);
  const attachments = await resolveAttachments(db, input.uploaderId, input.assetIds, input.messageId);
  const id = prior ?? input.messageId ?? newId(now);
  if (attachments.length && !(await claimForMessage(db, input.assetIds, input.uploaderId, id))) throw attachmentInUse();
  const mentions = [...new Set(requested)].filter((u) => u !== senderId);
  const fields = { id, channelId, position: null, senderId, body: screened.body, inlineEmotes: emotes, attachments, mentionedUserIds: mentions, now };
  const sending = { deps, input, room, shard, fields, slowMs };
  // Written ahead of the message: a retry after a reset mid-send finds the id (see SendKeys).
  if (key && !prior) room.keys.record(senderId, key, id, now);
  try {
    // A shadow-banned sender's message reaches only themselves (shadow-send.ts): no report either, since nobody else sees it.
    if (shadowed) return await acceptShadow(sending, storedRow({ ...fields, position: 0, mentionedUserIds: [] }, thread?.rootId ?? null));
    const sent = await accept(sending, channel, thread);
    if (screened.flagged) await fileBlocklistReport(deps, sent.message);
    return sent;
  } catch (err) {
    // A refusal stores nothing: the key is free again. After any other failure it stays, so the
    // retry looks for the message under the same id.
    if (key && err instanceof ApiError) room.keys.release(senderId, key, id);
    // A message that throws was never accepted (accepting is its last step): its uploads are free
    // again, or a retry would find them "in use".
    if (attachments.length) await db.batch([releaseClaims(db, id)]).catch(() => {});
    throw err;
  }
}

/**
 * Write-ahead (DESIGN §6): the message and its event go to the room's storage in one transaction,
 * then out to every socket; D1 follows in the room's next flush (src/room/flush.ts). Everything
 * that can refuse the send was decided before, so nothing is taken back after the broadcast. The
 * awaits (sender's name, mentioned members) come first; the position and the accept are one
 * synchronous step, so positions follow seq.
 */
async function accept(s: Sending, channel: ChannelRow, thread?: history.ThreadTarget) {
  const { deps, room, fields } = s;
  await room.checkpoint(thread ? "reply:checked" : "send:checked");
  const requested = fields.mentionedUserIds!;
  const mentioned = requested.length ? keptInOrder(requested, await mentionableMembers(deps.db, fields.channelId, fields.senderId, requested)) : [];
  // A room with no stored position yet, in a channel with history from before write-ahead: positions a
  // room reset under the old D1-first sends may have left in the shard (read once, alongside the name).
  const legacy = !thread && !room.positionKnown() && channel.lastPosition > 0 && room.wal.storedPosition() === 0;
  const parentId = thread?.rootId ?? null;
  const [[named], stored, root] = await Promise.all([
    withSenders(deps.db, [storedRow({ ...fields, position: 0, mentionedUserIds: mentioned }, parentId)]),
    legacy ? history.lastStoredPosition(s.shard, fields.channelId) : undefined,
    thread ? threadRoot(deps, s.shard, fields.channelId, thread.rootId) : undefined,
  ]);
  if (stored !== undefined) room.seedPosition(stored);
  room.wal.checkBacklog();
  // The same synchronous step as the accept: of one member's racing sends, one passes slow mode.
  if (s.slowMs) room.slowMode.check(fields.senderId, s.slowMs, Date.now());
  const position = thread ? null : room.takePosition(channel.lastPosition);
  const row = { ...fields, position, parentId, mentionedUserIds: mentioned };
  const message = messageJson({ ...named!, position });
  // A reply's root, as it is with this reply: one more, the newest.
  const rootUpdate = root && [{ type: "message_update" as const, data: withThread(root, room.wal.flusher, { now: fields.now }) }];
  const op = { shard: channel.shard, dm: channel.type === "dm", row, mentioned, message, ...(rootUpdate ? { webhooks: rootUpdate } : {}) };
  const seq = room.wal.accept(fields.channelId, op, messageEventId(row.id), rootUpdate);
  if (s.slowMs) room.slowMode.record(fields.senderId, Date.now());
  // The user sockets hear of it after the broadcast, off the send's path (its D1 read is not the send's cost).
  const notified = notifyMessage({ ...deps, db: createDb(deps.env.DB) }, message, undefined, OFF_PATH_CALLS).catch((err) => console.error(JSON.stringify({ level: "warn", realtime: "notify", channel_id: fields.channelId, error: String(err) })));
  deps.waitUntil?.(notified);
  return { message, replayed: false, seq };
}

/**
 * The thread a reply to `parentId` joins: the parent must be live (else 404), as the room holds it
 * when D1 does not yet; a reply to a reply joins the root's thread.
 */
async function resolveThread(room: SendRoom, shard: HistoryDb, channelId: string, parentId: string): Promise<history.ThreadTarget> {
  const waiting = room.wal.pending(parentId);
  if (!waiting) return history.resolveThread(shard, channelId, parentId);
  if (waiting.op.row.deletedAt != null) throw messageNotFound();
  return { parentId, rootId: waiting.op.row.parentId ?? parentId };
}

/** The row a flush will store for an accepted message (what the shard's defaults fill in, filled in here). */
function storedRow(m: history.NewMessage & { position: number }, parentId: string | null = null): MessageRow {
  return {
    ...(history.rowValues(m, parentId) as MessageRow),
    replyCount: 0,
    lastReplyAt: null,
    pinnedAt: null,
    pinnedBy: null,
    editedAt: null,
    deletedAt: null,
    deletedBy: null,
    mentionedUserIds: m.mentionedUserIds ?? [],
  };
}

/**
 * A message this room accepted before (a retried call, or a reused idempotency key): as its event
 * said while D1 does not hold it yet, else as D1 holds it. Undefined when the room never accepted it.
 */
async function findAccepted(deps: Deps, room: SendRoom, shard: HistoryDb, channelId: string, messageId: string, fromKey: boolean) {
  const pending = room.wal.pending(messageId);
  if (pending) return { message: pending.op.message as ReturnType<typeof messageJson>, seq: pending.seq };
  const eventId = messageEventId(messageId);
  // The log tells, without D1, that a fresh id was never used (the usual first attempt of a send).
  const announced = isId(messageId) ? room.wal.announced(eventId, idTime(messageId)) : undefined;
  if (announced === false && !fromKey) return undefined;
  // Otherwise (a key's message, or one older than the log's window) D1 has the last word.
  const row = await history.getMessage(shard, channelId, messageId);
  if (!row) return undefined;
  const message = await json(deps, row);
  // Stored but provably never announced (a reply whose answer failed after its insert): announce it now.
  if (announced === false) room.wal.announce(channelId, "message", message, eventId);
  return { message };
}

const tooManyMentions = () =>
  new ApiError("VALIDATION_FAILED", `At most ${MAX_MENTIONS} mentioned users`, [
    { in: "json", path: "mentioned_user_ids", code: "too_big", message: `at most ${MAX_MENTIONS} entries` },
  ]);
