import { createRoute } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody, userSecurity } from "../../platform/openapi";
import { adminSecurity } from "../admin/admin.schemas";
import { EraseBody, EraseParams, Erasure } from "./erasure.schemas";

const what =
  'The user\'s profile becomes "Deleted user"; their memberships end (`member_remove` in each channel, their sockets closed with 4003, an owned channel is left without owner), ' +
  "their blocks, read cursors, uploads (files and rows), mention and socket records go, their reactions are removed, their messages are deleted or kept under a pseudonym, " +
  "on every history shard; the replay logs of their channels' rooms and their user socket's log are cut, and webhook delivery logs naming them are deleted; audit-log entries " +
  "that named them name the pseudonym. From the answer on, every token for this `sub` is refused with 403 `AUTH_USER_DELETED` (other Worker instances within a minute). " +
  "Messages under a legal hold are kept unchanged until it is released (`status: \"held\"`), then erased by the hourly cron. No per-message events are sent. " +
  "The work runs in the background (a queue job, in bounded steps); repeating the request is safe and answers the erasure's current state. See docs/retention.md.";

export const eraseUser = createRoute({
  method: "delete",
  path: "/admin/v1/users/{userID}",
  tags: ["Compliance"],
  security: adminSecurity,
  summary: "Erase a user (right to be forgotten)",
  description: `Operators only. ${what} A user never seen (nor erased before) is 404 \`CHAT_USER_NOT_FOUND\`; a publisher id or a bad body is 400 \`VALIDATION_FAILED\`. Recorded in the audit log (\`user.erase\`, then \`user.erase_done\`).`,
  request: { params: EraseParams, body: jsonBody(EraseBody) },
  responses: { 202: json(Erasure, "Erasure under way (or its state, when asked again)"), ...errorResponses(400, 404) },
});

export const deleteMe = createRoute({
  method: "delete",
  path: "/v1/users/me",
  tags: ["Users"],
  security: userSecurity,
  summary: "Delete my account (App Store guideline 5.1.1(v))",
  description: `The same erasure as the admin API's, for the caller. ${what} The caller's token stops working with this answer: a repeat is 403 \`AUTH_USER_DELETED\`. Recorded in the audit log.`,
  request: { body: jsonBody(EraseBody) },
  responses: { 202: json(Erasure, "Erasure under way"), ...errorResponses(400) },
});
