import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody } from "../../platform/openapi";
import { UnixSeconds, UserId } from "../../platform/schemas";
import { adminSecurity } from "../admin/admin.schemas";
import { MAX_BAN_S, MAX_REASON } from "./moderation.schemas";

const tags = ["Moderation"];
const UserParams = z.object({ userID: UserId.openapi({ param: { name: "userID", in: "path" } }) });

export const AppBanBody = z
  .object({
    reason: z.string().trim().min(1).max(MAX_REASON).optional().openapi({ example: "Fraudulent account" }),
    duration_s: z.number().int().min(1).max(MAX_BAN_S).optional().openapi({ example: 604800, description: "Seconds until the ban ends by itself (at most a year); absent: until lifted" }),
    shadow: z.boolean().optional().openapi({ example: false, description: "A shadow ban: the user keeps using the app (no 403, no socket closed), but their new messages reach only themselves: no position or seq, their own sockets (`seq` null) and their own history only. Rooms apply it within a minute" }),
  })
  .openapi("AppBanRequest");

export const AppBan = z
  .object({
    user_id: z.string().openapi({ example: "mallory" }),
    reason: z.string().nullable().openapi({ example: "Fraudulent account" }),
    shadow: z.boolean(),
    created_at: UnixSeconds,
    expires_at: UnixSeconds.nullable().openapi({ example: null, description: "null: until lifted" }),
  })
  .openapi("AppBan");

export const appBan = createRoute({
  method: "put",
  path: "/admin/v1/users/{userID}/ban",
  tags,
  security: adminSecurity,
  summary: "Ban a user from the whole app",
  description:
    "Every request the user's tokens make is then 403 `AUTH_USER_BANNED` (`details.expires_at`, null: until lifted), socket upgrades and ticketed ones included, " +
    "and their open sockets close with 4003 (the user socket and every channel socket). Memberships are kept. Takes effect at once in the isolate that took it, " +
    "within 15 s everywhere. Banning again answers 200 with the ban in force. Unknown user: 404 `CHAT_USER_NOT_FOUND`. Audited as `app_ban`.",
  request: { params: UserParams, body: jsonBody(AppBanBody) },
  responses: { 201: json(AppBan, "Banned"), 200: json(AppBan, "Already banned: the ban in force"), ...errorResponses(400, 404) },
});

export const appUnban = createRoute({
  method: "delete",
  path: "/admin/v1/users/{userID}/ban",
  tags,
  security: adminSecurity,
  summary: "Lift an app-wide ban",
  description: "No ban in force: 404 `CHAT_BAN_NOT_FOUND`. Audited as `app_unban`.",
  request: { params: UserParams },
  responses: { 204: { description: "Lifted" }, ...errorResponses(404) },
});
