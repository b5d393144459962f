import { createRoute } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody, userSecurity as security } from "../../platform/openapi";
import { EditScheduledBody, ScheduledAnswer, ScheduledList, ScheduledParams } from "./scheduled.schemas";

const tags = ["Scheduled messages"];

export const listScheduled = createRoute({
  method: "get",
  path: "/v1/users/me/scheduled-messages",
  tags,
  security,
  summary: "Your scheduled messages, soonest first",
  description:
    "Every message you scheduled (`POST /v1/channels/{id}/messages` with `send_at`) that is not sent yet, in every channel, soonest first, " +
    'and those refused at their time (`"status":"failed"` with `failure_code`), until you delete them. A sent one leaves the list.',
  responses: { 200: json(ScheduledList, "Your scheduled messages"), ...errorResponses() },
});

export const editScheduled = createRoute({
  method: "patch",
  path: "/v1/users/me/scheduled-messages/{scheduledID}",
  tags,
  security,
  summary: "Edit a scheduled message (body, emotes, mentions, send_at)",
  description:
    "Only while it waits: the same content rules as a send; a new `body` without `inline_emotes` drops the emotes; `send_at` 10 s to 30 days ahead. " +
    "Attachments cannot change (cancel and schedule again). 404 `CHAT_SCHEDULED_NOT_FOUND` once it is sent or cancelled, or if it is not yours; " +
    "409 `CHAT_SCHEDULED_NOT_PENDING` when it failed at its time. The edit and the send are ordered: the answer says what will be sent.",
  request: { params: ScheduledParams, body: jsonBody(EditScheduledBody) },
  responses: { 200: json(ScheduledAnswer, "The scheduled message as edited"), ...errorResponses(400, 404, 409) },
});

export const cancelScheduled = createRoute({
  method: "delete",
  path: "/v1/users/me/scheduled-messages/{scheduledID}",
  tags,
  security,
  summary: "Cancel a scheduled message (or remove a failed one from the list)",
  description:
    "A 204 means it will never be sent: the cancel and the send are ordered in the channel's room. Its uploads are free again (unused uploads are swept after 24 h). " +
    "404 `CHAT_SCHEDULED_NOT_FOUND` once it is sent, or if it is not yours.",
  request: { params: ScheduledParams },
  responses: { 204: { description: "Cancelled" }, ...errorResponses(404) },
});
