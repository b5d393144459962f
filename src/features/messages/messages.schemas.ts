import { z } from "@hono/zod-openapi";
import type { ReactionSummary } from "../../history";
import type { Message as StoredMessage } from "./senders";
import { ClientTime, Snowflake, UnixSeconds, UserId, seconds } from "../../platform/schemas";
import { Attachment } from "../attachments/attachments.schemas";
import { ChannelParams } from "../channels/channels.schemas";

/** Opaque numeric asset ids (1–20 digits), accepted as strings or numbers, always answered as strings. */
export const AssetId = z
  .union([z.string().regex(/^\d{1,20}$/, "asset ids are 1-20 digits"), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)])
  .transform(String)
  .openapi({ type: "string", example: "999888777" });

export const MessageId = z.string().regex(/^[1-9]\d{18}$/, "message ids are 19 digits").openapi({ example: "1234567890123456789" });

export const MessageParams = ChannelParams.extend({
  messageID: Snowflake.openapi({ param: { name: "messageID", in: "path" } }),
});

export const InlineEmote = z
  .object({
    shortcode: z.string().min(1).max(64),
    asset_id: AssetId,
    start_index: z.number().int().nonnegative().openapi({ description: "Inclusive, in code points" }),
    end_index: z.number().int().nonnegative().openapi({ description: "Exclusive, in code points" }),
  })
  .openapi("InlineEmote");

/** The client names an upload; everything else about it is filled in by the server. */
export const AttachmentRef = z.object({ asset_id: AssetId }).openapi("AttachmentRef");

export const Reaction = z
  .object({ emote_asset_id: z.string(), count: z.number().int(), user_ids: z.array(z.string()) })
  .openapi("Reaction");

export const LinkPreview = z
  .object({
    url: z.string().openapi({ example: "https://example.com/article" }),
    title: z.string().nullable().openapi({ example: "An article" }),
    description: z.string().nullable().openapi({ example: "What the article is about" }),
    site_name: z.string().nullable().openapi({ example: "Example" }),
    image_url: z
      .string()
      .nullable()
      .openapi({
        example: "/files/lp-3f9a0c2e1b4d5a6f7e8d9c0b1a2f3e4d/full?exp=1767225600&sig=q8Vd2r0xWm6nA1cZ4kTfP9eHs3LbY7uJ5oGi0NwRt2E",
        description: "The page's image, copied by the server and served from this API's origin (a path to resolve against the API's base URL): the linked site never sees who reads",
      }),
  })
  .openapi("LinkPreview");

export const Message = z
  .object({
    id: Snowflake,
    channel_id: Snowflake,
    sender_id: z.string(),
    sender_name: z.string(),
    sender_type: z.enum(["user", "publisher"]),
    body: z.string(),
    attachments: z.array(Attachment),
    inline_emotes: z.array(InlineEmote),
    created_at: UnixSeconds,
    edited_at: UnixSeconds.nullable(),
    deleted: z.boolean(),
    deleted_by: z
      .enum(["author", "moderator", "retention"])
      .nullable()
      .openapi({ description: "On a tombstone: who deleted it — its author, a moderator (channel owner/admin or the app's), or the retention sweep; null while the message lives" }),
    reactions: z.array(Reaction),
    parent_id: Snowflake.nullable().openapi({ description: "The thread's root for a reply; null for a top-level message" }),
    reply_count: z.number().int().openapi({ description: "Replies in this message's thread (roots only; 0 otherwise)" }),
    last_reply_at: UnixSeconds.nullable(),
    mentioned_user_ids: z.array(z.string()).openapi({ description: "Members this message mentions (the sender and non-members are dropped)" }),
    pinned_at: UnixSeconds.nullable(),
    pinned_by: z.string().nullable(),
    previews: z.array(LinkPreview).openapi({
      description: "Previews of up to 3 http(s) links, filled in the background after the send (a `message_update` tells); [] until then, and for a sender who sent `\"unfurl\": false`",
    }),
  })
  .openapi("Message");

export const MessagePage = z
  .object({
    messages: z.array(Message),
    has_more: z.boolean().openapi({ description: "More beyond this page: older (before/around/none) or newer (after)" }),
    has_more_after: z.boolean().optional().openapi({ description: "around only: newer messages exist beyond the page" }),
  })
  .openapi("MessagePage");

export const ListMessagesQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(50),
    before: MessageId.optional(),
    after: MessageId.optional(),
    around: MessageId.optional(),
  })
  .refine((q) => [q.before, q.after, q.around].filter(Boolean).length <= 1, "use at most one of before, after, around");

/** Users a message mentions: at most 50; non-members and the sender are dropped (the answer shows the kept ones). */
export const MentionedUserIds = z
  .array(UserId)
  .max(50)
  .openapi({ description: "Users to mention (at most 50); ids that are not members, and your own, are dropped" });

export const SendMessageBody = z
  .object({
    body: z.string().default(""),
    attachments: z.array(AttachmentRef).max(10).default([]),
    inline_emotes: z.array(InlineEmote).max(100).default([]),
    mentioned_user_ids: MentionedUserIds.optional(),
    parent_id: MessageId.nullable()
      .optional()
      .openapi({ description: "Reply in this message's thread (a reply to a reply joins the root's thread); null or absent: top-level" }),
    unfurl: z
      .boolean()
      .optional()
      .openapi({ description: "false: no link previews for this message (its links are never fetched, an edit neither). Default true", example: false }),
    send_at: ClientTime.optional().openapi({
      description:
        "Send later (DESIGN §18): 10 s to 30 days ahead, RFC 3339 or unix seconds. Answered 202 with the scheduled message; at that time (within 2 s) it is sent as you, checked as if you sent it then",
      example: "2026-05-01T09:00:00Z",
    }),
  })
  .openapi("SendMessage");

export const EditMessageBody = z
  .object({
    body: z.string(),
    inline_emotes: z.array(InlineEmote).max(100).optional().openapi({ description: "Replaces the emotes; omitted: none" }),
    mentioned_user_ids: MentionedUserIds.optional().openapi({ description: "Replaces the mentions (at most 50; [] clears them); omitted: unchanged" }),
  })
  .openapi("EditMessage");

/** `Idempotency-Key`: printable ASCII, 1–255 characters. */
export const IdempotencyHeaders = z.object({
  "idempotency-key": z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, "Idempotency-Key must be 1-255 printable ASCII characters")
    .optional()
    .openapi({ param: { name: "idempotency-key", in: "header" }, description: "Idempotency-Key: retries within 24 h return the original message" }),
});

/** The seed's message object; a deleted message is a tombstone with no content or reactions. */
export function messageJson(m: StoredMessage, reactions: ReactionSummary[] = []) {
  const deleted = m.deletedAt !== null;
  return {
    id: m.id,
    channel_id: m.channelId,
    sender_id: m.senderId,
    sender_name: m.senderName,
    sender_type: m.senderKind,
    body: deleted ? "" : m.body,
    attachments: deleted ? [] : m.attachments,
    inline_emotes: deleted ? [] : m.inlineEmotes,
    created_at: seconds(m.createdAt),
    edited_at: m.editedAt === null ? null : seconds(m.editedAt),
    deleted,
    deleted_by: deleted ? (m.deletedBy ?? "author") : null,
    reactions: deleted ? [] : reactions,
    parent_id: m.parentId,
    reply_count: m.replyCount,
    last_reply_at: m.lastReplyAt === null ? null : seconds(m.lastReplyAt),
    mentioned_user_ids: deleted ? [] : m.mentionedUserIds,
    pinned_at: m.pinnedAt === null ? null : seconds(m.pinnedAt),
    pinned_by: m.pinnedBy,
    previews: deleted ? [] : (m.linkPreviews?.previews ?? []),
  };
}
