import { createRoute } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody, userSecurity as security } from "../../platform/openapi";
import { adminSecurity } from "../admin/admin.schemas";
import { ChannelParams } from "../channels/channels.schemas";
import { AdminAuditQuery, AuditPage, AuditQuery, Ban, BanBody, BanList, Mute, MuteBody, MuteList, TargetParams } from "./moderation.schemas";

const tags = ["Moderation"];
const who = "Channel moderators are its owner and admins: admins act on members, only the owner on admins, nobody on the owner (403 `CHAT_CANNOT_REMOVE_OWNER`); others get 403 `CHAT_NOT_ADMIN`. DMs have no bans or mutes (400 `CHAT_CANNOT_MODIFY_DM`).";

export const ban = createRoute({
  method: "post",
  path: "/v1/channels/{channelID}/bans",
  tags,
  security,
  summary: "Ban a user from the channel (moderators)",
  description:
    "The user is removed (members' sockets get `member_remove` with `\"reason\":\"banned\"`, theirs are closed with 4003) and cannot join, be added or post (403 `CHAT_BANNED`) until `expires_at` or until the ban is lifted. " +
    "Banning someone already banned answers 200 with the ban in force (of concurrent identical bans exactly one is 201). " +
    who +
    " Every ban is in the audit log.",
  request: { params: ChannelParams, body: jsonBody(BanBody) },
  responses: { 201: json(Ban, "Banned"), 200: json(Ban, "Already banned: the ban in force"), ...errorResponses(400, 403, 404) },
});

export const listBans = createRoute({
  method: "get",
  path: "/v1/channels/{channelID}/bans",
  tags,
  security,
  summary: "Bans in force (moderators)",
  description: "Newest first, at most 1000. " + who,
  request: { params: ChannelParams },
  responses: { 200: json(BanList, "Bans in force"), ...errorResponses(400, 403, 404) },
});

export const unban = createRoute({
  method: "delete",
  path: "/v1/channels/{channelID}/bans/{userID}",
  tags,
  security,
  summary: "Lift a ban (moderators)",
  description: "The user may join or be added again (they are not re-added). No ban in force: 404 `CHAT_BAN_NOT_FOUND`. In the audit log.",
  request: { params: TargetParams },
  responses: { 204: { description: "Lifted" }, ...errorResponses(400, 403, 404) },
});

export const mute = createRoute({
  method: "post",
  path: "/v1/channels/{channelID}/mutes",
  tags,
  security,
  summary: "Mute (time out) a member (moderators)",
  description:
    "For `duration_s` (1 s – 28 days) the member still reads and receives, but sends (REST, socket, integration), reactions, edits, pins and typing are 403 `CHAT_MUTED`; they may still delete their own messages and move their read cursor, and see their `muted_until` on the channel. " +
    "Muting someone already muted answers 200 with the mute in force. " +
    who,
  request: { params: ChannelParams, body: jsonBody(MuteBody) },
  responses: { 201: json(Mute, "Muted"), 200: json(Mute, "Already muted: the mute in force"), ...errorResponses(400, 403, 404) },
});

export const listMutes = createRoute({
  method: "get",
  path: "/v1/channels/{channelID}/mutes",
  tags,
  security,
  summary: "Mutes in force (moderators)",
  description: "Newest first, at most 1000. " + who,
  request: { params: ChannelParams },
  responses: { 200: json(MuteList, "Mutes in force"), ...errorResponses(400, 403, 404) },
});

export const unmute = createRoute({
  method: "delete",
  path: "/v1/channels/{channelID}/mutes/{userID}",
  tags,
  security,
  summary: "Lift a mute (moderators)",
  description: "No mute in force: 404 `CHAT_MUTE_NOT_FOUND`. In the audit log.",
  request: { params: TargetParams },
  responses: { 204: { description: "Lifted" }, ...errorResponses(400, 403, 404) },
});

export const channelAudit = createRoute({
  method: "get",
  path: "/v1/channels/{channelID}/audit-log",
  tags,
  security,
  summary: "The channel's audit log (moderators)",
  description: "Moderation actions in this channel, newest first, filtered by `actor`, `target` and `action`; page with `before` (the last entry's id). The log is append-only. Plain members get 403 `CHAT_NOT_ADMIN`.",
  request: { params: ChannelParams, query: AuditQuery },
  responses: { 200: json(AuditPage, "Entries, newest first"), ...errorResponses(400, 403, 404) },
});

export const adminAudit = createRoute({
  method: "get",
  path: "/admin/v1/audit-log",
  tags,
  security: adminSecurity,
  summary: "The app's audit log",
  description: "Every moderation action (bans, mutes, slow mode, report resolutions, blocklist changes, app bans, moderator deletes), newest first, filtered by `actor`, `target`, `action` and `channel_id`; page with `before`.",
  request: { query: AdminAuditQuery },
  responses: { 200: json(AuditPage, "Entries, newest first"), ...errorResponses(400) },
});
