import { createRoute } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody } from "../../platform/openapi";
import { ChannelParams } from "../channels/channels.schemas";
import { adminSecurity } from "../admin/admin.schemas";
import { AppRetention, ChannelRetention, RetentionBody } from "./retention.schemas";

const how =
  "The hourly cron (in local development `GET /__scheduled`, since `npm start` runs `wrangler dev --test-scheduled`) deletes messages older than the limit " +
  "on every history shard, with their reactions, pins, mentions, search entries, thread reply counts and attachment bytes, in bounded chunks; a thread root past the limit " +
  "whose replies are not becomes a tombstone until they go. Unread counts and channel lists stay right; no per-message events are sent (open clients see the change when they next fetch history). " +
  "Messages under a legal hold stay. See docs/retention.md.";

export const getAppRetention = createRoute({
  method: "get",
  path: "/admin/v1/retention",
  tags: ["Compliance"],
  security: adminSecurity,
  summary: "The app's default retention, and what the last sweep removed",
  description: `Operators only (ADMIN_TOKEN). ${how}`,
  responses: { 200: json(AppRetention, "The setting and the last sweep"), ...errorResponses() },
});

export const putAppRetention = createRoute({
  method: "put",
  path: "/admin/v1/retention",
  tags: ["Compliance"],
  security: adminSecurity,
  summary: "Set the app's default retention (days, or null to keep forever)",
  description: `Operators only. \`{"days": 1..36500}\` applies to every channel without a limit of its own; \`{"days": null}\` keeps their messages forever. Takes effect at the next hourly sweep. Recorded in the audit log. Other values are 400 \`VALIDATION_FAILED\`. ${how}`,
  request: { body: jsonBody(RetentionBody) },
  responses: { 200: json(AppRetention, "The new setting"), ...errorResponses(400) },
});

export const getChannelRetention = createRoute({
  method: "get",
  path: "/admin/v1/channels/{channelID}/retention",
  tags: ["Compliance"],
  security: adminSecurity,
  summary: "A channel's retention: its own limit and the one that applies",
  description: "Operators only. A channel that does not exist (or was deleted) is 404 `CHAT_CHANNEL_NOT_FOUND`.",
  request: { params: ChannelParams },
  responses: { 200: json(ChannelRetention, "The channel's retention"), ...errorResponses(400, 404) },
});

export const putChannelRetention = createRoute({
  method: "put",
  path: "/admin/v1/channels/{channelID}/retention",
  tags: ["Compliance"],
  security: adminSecurity,
  summary: "Set a channel's own retention (days, or null to inherit the app default)",
  description: `Operators only. \`{"days": 30}\` keeps this channel's messages 30 days whatever the app default (shorter or longer); \`{"days": null}\` inherits it. Recorded in the audit log. ${how}`,
  request: { params: ChannelParams, body: jsonBody(RetentionBody) },
  responses: { 200: json(ChannelRetention, "The channel's retention"), ...errorResponses(400, 404) },
});
