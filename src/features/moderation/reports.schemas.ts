import { z } from "@hono/zod-openapi";
import { Snowflake, UnixSeconds } from "../../platform/schemas";
import { ChannelParams } from "../channels/channels.schemas";
import { Message } from "../messages/messages.schemas";
import { MAX_BAN_S, MAX_REASON } from "./moderation.schemas";
import { REPORT_REASONS } from "./reports";
import { RESOLVE_ACTIONS } from "./reports-resolve";

export const ReportBody = z
  .object({
    reason: z.enum(REPORT_REASONS).openapi({ example: "spam" }),
    note: z.string().trim().min(1).max(MAX_REASON).optional().openapi({ example: "Same link posted in five channels", description: `At most ${MAX_REASON} characters; for the moderators` }),
  })
  .openapi("ReportRequest");

export const Report = z
  .object({
    id: Snowflake,
    channel_id: Snowflake,
    message_id: Snowflake,
    reporter_id: z.string().openapi({ example: "carol", description: 'The member who reported, or "system" for the blocklist\'s flags' }),
    reason: z.string().openapi({ example: "spam", description: `One of ${REPORT_REASONS.join(", ")}, or "blocklist" (filed by "system")` }),
    note: z.string().nullable().openapi({ example: "Same link posted in five channels" }),
    status: z.enum(["open", "resolved"]),
    message: Message.openapi({ description: "The message as it was when reported (a later edit or delete does not change it)" }),
    created_at: UnixSeconds,
    resolved_at: UnixSeconds.nullable().openapi({ example: null }),
    resolved_by: z.string().nullable().openapi({ example: null, description: 'A channel moderator, or "admin"' }),
    resolution: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ example: null, description: "`action`, `note`, and what the action did (`mute`, `ban`, or `message_deleted`: false when it was gone already)" }),
  })
  .openapi("Report");

export const ReportPage = z.object({ reports: z.array(Report), has_more: z.boolean() }).openapi("ReportPage");

export const ReportQuery = z.object({
  status: z.enum(["open", "resolved"]).optional().openapi({ example: "open", description: "Absent: both" }),
  before: Snowflake.optional().openapi({ description: "Report id cursor: older reports (the last id of the previous page)" }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const ResolveBody = z
  .object({
    action: z.enum(RESOLVE_ACTIONS).openapi({ example: "mute_user" }),
    duration_s: z.number().int().min(1).max(MAX_BAN_S).optional().openapi({ example: 600, description: "mute_user: 1 s – 28 days (default 3600); ban_user: at most a year (default: until lifted)" }),
    note: z.string().trim().min(1).max(MAX_REASON).optional().openapi({ example: "Second spam report this week" }),
  })
  .openapi("ResolveReportRequest");

export const ReportParams = z.object({ reportID: Snowflake.openapi({ param: { name: "reportID", in: "path" } }) });
export const ChannelReportParams = ChannelParams.extend({ reportID: Snowflake.openapi({ param: { name: "reportID", in: "path" } }) });
