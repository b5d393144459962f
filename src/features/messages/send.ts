import type { ChannelRow, InlineEmote, StoredAttachment } from "../../db/schema";
import type { Deps } from "../../env";
import * as history from "../../history";
import { isUniqueViolation } from "../../platform/db-errors";
import { ApiError } from "../../platform/errors";
import { newId } from "../../platform/ids";
import { publish } from "../../realtime/notify";
import { resolveAttachments } from "../attachments/uploads";
import { checkMessageContent } from "./content";
import { messageJson } from "./messages.schemas";

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
  /** Extra rules on the resolved uploads (the integration API checks declared types). */
  checkAttachments?: (stored: StoredAttachment[]) => void;
}

/**
 * Sends a message once: content rules, idempotent replay, upload resolution, one D1 transaction,
 * then the `message` event. Callers have already decided the sender may post here.
 */
export async function sendMessage(deps: Deps, input: SendInput) {
  const { db } = deps;
  const emotes = input.inlineEmotes ?? [];
  checkMessageContent(input.body, emotes, input.assetIds.length);
  const now = Date.now();
  const key = input.idempotencyKey;
  const replay = key ? await history.findByIdempotencyKey(db, input.senderId, key, now) : undefined;
  if (replay) return { message: messageJson(replay), replayed: true };

  const attachments = await resolveAttachments(db, input.uploaderId, input.assetIds);
  input.checkAttachments?.(attachments);
  try {
    const stored = await history.insertMessage(db, {
      id: newId(now),
      channelId: input.channel.id,
      senderId: input.senderId,
      body: input.body,
      inlineEmotes: emotes,
      attachments,
      now,
      unhide: input.channel.type === "dm",
      idempotencyKey: key,
    });
    const message = messageJson(stored);
    await publish(deps, input.channel.id, "message", message);
    return { message, replayed: false };
  } catch (err) {
    if (isUniqueViolation(err, "message_attachments")) {
      throw new ApiError("CHAT_ATTACHMENT_IN_USE", "An attachment was just used by another message");
    }
    // A concurrent retry with the same key won the race: answer with its message.
    const raced = key && isUniqueViolation(err) ? await history.findByIdempotencyKey(db, input.senderId, key, now) : undefined;
    if (!raced) throw err;
    return { message: messageJson(raced), replayed: true };
  }
}
