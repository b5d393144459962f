import type { ChannelRow } from "../../db/directory";
import type { Deps } from "../../env";
import * as history from "../../history";
import type { InlineEmote, MessageRow, StoredAttachment } from "../../history";
import { isUniqueViolation } from "../../platform/db-errors";
import { ApiError } from "../../platform/errors";
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
  /** Threads: the message this one replies to. */
  parentId?: string;
  /** Users to mention (at most 50): non-members and the sender are dropped; the message keeps the rest. */
  mentionedUserIds?: string[];
  /** Extra rules on the resolved uploads (the integration API checks declared types). */
  checkAttachments?: (stored: StoredAttachment[]) => void;
}

/**
 * Sends a message once: content rules, idempotent replay, upload claims (directory), the channel's
 * next position (directory), the message and its key (the channel's history shard), then the
 * `message` event. Callers have already decided the sender may post here.
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

  const attachments = await resolveAttachments(db, input.uploaderId, input.assetIds);
  input.checkAttachments?.(attachments);
  const id = newId(now);
  if (attachments.length && !(await claimForMessage(db, input.assetIds, input.uploaderId, id))) throw attachmentInUse();
  // The mention rows are written in the position's batch: kept = members other than the sender.
  const mentionWrite = mentionIds.length ? insertMentions(db, { channelId: input.channel.id, messageId: id, senderId: input.senderId, userIds: mentionIds }) : undefined;
  const taken = await takePosition(db, { channelId: input.channel.id, messageId: id, senderId: input.senderId, now, unhide: input.channel.type === "dm" }, mentionWrite);
  const { position } = taken;
  const mentioned = keptInOrder(mentionIds, (taken.also ?? []).map((r) => r.userId));
  try {
    const stored = await history.insertMessage(shard, {
      ...{ id, channelId: input.channel.id, position, senderId: input.senderId, body: input.body, inlineEmotes: emotes },
      ...{ attachments, mentionedUserIds: mentioned, now, idempotencyKey: key },
    });
    const message = await json(deps, stored);
    await publish(deps, input.channel.id, "message", message);
    return { message, replayed: false };
  } catch (err) {
    // The position was taken but holds no message: it counts as deleted; the uploads are free again,
    // and nobody is mentioned by it.
    await db.batch([
      recordDeletedPosition(db, input.channel.id, position, input.senderId),
      releaseClaims(db, id),
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
