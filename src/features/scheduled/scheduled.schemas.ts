import { z } from "@hono/zod-openapi";
import type { ScheduledMessageRow } from "../../db/directory";
import { ClientTime, Snowflake, UnixSeconds, seconds } from "../../platform/schemas";
import { Attachment } from "../attachments/attachments.schemas";
import { InlineEmote, MentionedUserIds } from "../messages/messages.schemas";

/** How far ahead a message may be scheduled (DESIGN §18). */
export const MIN_AHEAD_MS = 10_000;
export const MAX_AHEAD_MS = 30 * 24 * 3600 * 1000;
/** Pending scheduled messages one user may hold (checked when scheduling). */
export const MAX_SCHEDULED_PER_USER = 100;

export const ScheduledMessage = z
  .object({
    id: Snowflake,
    channel_id: Snowflake,
    body: z.string().openapi({ example: "Stand-up in 5 minutes" }),
    inline_emotes: z.array(InlineEmote),
    attachments: z.array(Attachment).openapi({ description: "Uploads claimed when it was scheduled (the orphan sweep leaves them alone)" }),
    mentioned_user_ids: z.array(z.string()).openapi({ description: "As asked: non-members are dropped when it is sent" }),
    parent_id: Snowflake.nullable(),
    unfurl: z.boolean(),
    send_at: UnixSeconds,
    status: z.enum(["pending", "failed"]).openapi({ description: "failed: refused at its time (see `failure_code`); nothing was stored. It stays listed until you delete it" }),
    failure_code: z.string().nullable().openapi({ example: null, description: "The error code the send got at its time (e.g. CHAT_NOT_MEMBER)" }),
    created_at: UnixSeconds,
    updated_at: UnixSeconds,
  })
  .openapi("ScheduledMessage");

export const ScheduledAnswer = z.object({ scheduled_message: ScheduledMessage }).openapi("ScheduledAnswer", {
  example: {
    scheduled_message: {
      id: "1234567890123456789",
      channel_id: "1234567890123456700",
      body: "Stand-up in 5 minutes",
      inline_emotes: [],
      attachments: [],
      mentioned_user_ids: [],
      parent_id: null,
      unfurl: true,
      send_at: 1767258000,
      status: "pending",
      failure_code: null,
      created_at: 1767254400,
      updated_at: 1767254400,
    },
  },
});

export const ScheduledList = z.object({ scheduled_messages: z.array(ScheduledMessage) }).openapi("ScheduledMessageList");

export const ScheduledParams = z.object({ scheduledID: Snowflake.openapi({ param: { name: "scheduledID", in: "path" } }) });

export const EditScheduledBody = z
  .object({
    body: z.string().optional(),
    inline_emotes: z.array(InlineEmote).max(100).optional().openapi({ description: "Replaces the emotes; omitted with a new body: none" }),
    mentioned_user_ids: MentionedUserIds.optional(),
    send_at: ClientTime.optional(),
  })
  .openapi("EditScheduledMessage", { example: { body: "Stand-up moved to 10:00", send_at: "2026-05-01T10:00:00Z" } });

export type ScheduledJson = z.infer<typeof ScheduledMessage>;

export function scheduledJson(row: ScheduledMessageRow): ScheduledJson {
  return {
    id: row.id,
    channel_id: row.channelId,
    body: row.body,
    inline_emotes: row.inlineEmotes,
    attachments: row.attachments,
    mentioned_user_ids: row.mentionedUserIds,
    parent_id: row.parentId,
    unfurl: row.unfurl,
    send_at: seconds(row.sendAt),
    status: row.status,
    failure_code: row.failureCode,
    created_at: seconds(row.createdAt),
    updated_at: seconds(row.updatedAt),
  };
}
