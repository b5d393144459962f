import { z } from "@hono/zod-openapi";
import type { ReminderRow } from "../../db/directory";
import { ClientTime, Snowflake, UnixSeconds, codePoints, seconds } from "../../platform/schemas";
import { MessageId } from "../messages/messages.schemas";

/** How far ahead a reminder may be set, and how many one user may have waiting. */
export const REMIND_MIN_AHEAD_MS = 10_000;
export const REMIND_MAX_AHEAD_MS = 365 * 24 * 3600 * 1000;
export const MAX_REMINDERS_PER_USER = 100;
export const MAX_REMINDER_TEXT = 1000;

export const Reminder = z
  .object({
    id: Snowflake,
    channel_id: Snowflake,
    message_id: Snowflake.nullable().openapi({ description: "The message it is about, if any" }),
    text: z.string().nullable().openapi({ example: "Answer Dana about the rota" }),
    remind_at: UnixSeconds,
    created_at: UnixSeconds,
  })
  .openapi("Reminder");

export const ReminderAnswer = z.object({ reminder: Reminder }).openapi("ReminderAnswer", {
  example: { reminder: { id: "1234567890123456789", channel_id: "1234567890123456700", message_id: "1234567890123456701", text: "Answer Dana about the rota", remind_at: 1767258000, created_at: 1767254400 } },
});

export const ReminderList = z.object({ reminders: z.array(Reminder) }).openapi("ReminderList");

export const CreateReminderBody = z
  .object({
    channel_id: MessageId.openapi({ example: "1234567890123456700", description: "A channel you are a member of" }),
    message_id: MessageId.optional().openapi({ description: "A message of that channel (live, and in history)" }),
    text: z
      .string()
      .refine((t) => codePoints(t) <= MAX_REMINDER_TEXT, `at most ${MAX_REMINDER_TEXT} characters`)
      .optional(),
    remind_at: ClientTime.openapi({ description: "10 s to 365 days ahead: RFC 3339 or unix seconds" }),
  })
  .openapi("CreateReminder", { example: { channel_id: "1234567890123456700", message_id: "1234567890123456701", text: "Answer Dana", remind_at: "2026-05-01T09:00:00Z" } });

export const ReminderParams = z.object({ reminderID: Snowflake.openapi({ param: { name: "reminderID", in: "path" } }) });

export type ReminderJson = z.infer<typeof Reminder>;

export const reminderJson = (r: ReminderRow): ReminderJson => ({
  id: r.id,
  channel_id: r.channelId,
  message_id: r.messageId,
  text: r.text,
  remind_at: seconds(r.remindAt),
  created_at: seconds(r.createdAt),
});
