import { createRoute } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody, userSecurity as security } from "../../platform/openapi";
import { adminSecurity } from "../admin/admin.schemas";
import { ChannelParams } from "../channels/channels.schemas";
import { MessageParams } from "../messages/messages.schemas";
import { ChannelReportParams, Report, ReportBody, ReportPage, ReportParams, ReportQuery, ResolveBody } from "./reports.schemas";

const tags = ["Moderation"];
const resolving =
  "`dismiss` closes it; `delete_message` deletes the message (a tombstone, audited as a moderator's delete; already gone: resolved all the same, `message_deleted: false`); " +
  "`mute_user` mutes its sender for `duration_s` (default 3600) and `ban_user` bans them (until lifted unless `duration_s`) in the reported message's channel — each exactly as the direct action, with its rules and its audit entry. " +
  "The report becomes `resolved` with `resolution`, and `report_resolve` is appended to the audit log. Resolving a resolved report answers it as it is (nothing runs again).";

export const createReport = createRoute({
  method: "post",
  path: "/v1/channels/{channelID}/messages/{messageID}/reports",
  tags,
  security,
  summary: "Report a message",
  description:
    "Any member who can read the message. The report keeps the message as it is now (`message`): a later edit or delete does not change the evidence. " +
    "Reporting the same message again answers 200 with your first report. A deleted or unknown message is 404 `CHAT_MESSAGE_NOT_FOUND`; a non-member 403 `CHAT_NOT_MEMBER`.",
  request: { params: MessageParams, body: jsonBody(ReportBody) },
  responses: { 201: json(Report, "Reported"), 200: json(Report, "Reported before: your first report"), ...errorResponses(400, 403, 404) },
});

export const channelReports = createRoute({
  method: "get",
  path: "/v1/channels/{channelID}/reports",
  tags,
  security,
  summary: "The channel's report queue (moderators)",
  description: "Reports of this channel's messages, newest first, `status` open or resolved (absent: both); page with `before`. Plain members: 403 `CHAT_NOT_ADMIN`.",
  request: { params: ChannelParams, query: ReportQuery },
  responses: { 200: json(ReportPage, "Reports, newest first"), ...errorResponses(400, 403, 404) },
});

export const channelResolve = createRoute({
  method: "post",
  path: "/v1/channels/{channelID}/reports/{reportID}/resolve",
  tags,
  security,
  summary: "Resolve a report of this channel (moderators)",
  description: resolving + " A report of another channel is 404 `CHAT_REPORT_NOT_FOUND`; only the owner may act on an admin's message (403 `CHAT_NOT_ADMIN`).",
  request: { params: ChannelReportParams, body: jsonBody(ResolveBody) },
  responses: { 200: json(Report, "Resolved"), ...errorResponses(400, 403, 404) },
});

export const adminReports = createRoute({
  method: "get",
  path: "/admin/v1/moderation/reports",
  tags,
  security: adminSecurity,
  summary: "The app's report queue",
  description: "Every channel's reports, newest first, each with the message as it was when reported; `status` open or resolved (absent: both); page with `before`.",
  request: { query: ReportQuery },
  responses: { 200: json(ReportPage, "Reports, newest first"), ...errorResponses(400) },
});

export const adminResolve = createRoute({
  method: "post",
  path: "/admin/v1/moderation/reports/{reportID}/resolve",
  tags,
  security: adminSecurity,
  summary: "Resolve a report (app moderators)",
  description: resolving + ' The actor is "admin". Unknown report: 404 `CHAT_REPORT_NOT_FOUND`.',
  request: { params: ReportParams, body: jsonBody(ResolveBody) },
  responses: { 200: json(Report, "Resolved"), ...errorResponses(400, 403, 404) },
});
