import { createRoute } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody, userSecurity as security } from "../../platform/openapi";
import { CreateReminderBody, ReminderAnswer, ReminderList, ReminderParams } from "./reminders.schemas";

const tags = ["Reminders"];

export const createReminder = createRoute({
  method: "post",
  path: "/v1/reminders",
  tags,
  security,
  summary: "Remind me (of a channel, or of a message in it)",
  description:
    "In a channel you are a member of, optionally about one of its messages, with an optional `text` (at most 1000 characters); `remind_at` 10 s to 365 days ahead. " +
    "At that time (within about a second) your user socket gets a `reminder` frame with the reminder, and it leaves your list. " +
    "Offline, the frame waits in your user socket's replay log (10 minutes); there is no push yet. At most 100 reminders waiting per user (400 `CHAT_TOO_MANY_REMINDERS`).",
  request: { body: jsonBody(CreateReminderBody) },
  responses: { 201: json(ReminderAnswer, "The reminder"), ...errorResponses(400, 403, 404) },
});

export const listReminders = createRoute({
  method: "get",
  path: "/v1/reminders",
  tags,
  security,
  summary: "Your reminders that have not fired yet, soonest first",
  description: "Every reminder you set (`POST /v1/reminders`) that has not fired or been deleted, in every channel, soonest first. A fired one leaves the list (its `reminder` frame went to your user socket).",
  responses: { 200: json(ReminderList, "Your reminders"), ...errorResponses() },
});

export const deleteReminder = createRoute({
  method: "delete",
  path: "/v1/reminders/{reminderID}",
  tags,
  security,
  summary: "Delete a reminder (it will not fire)",
  description: "404 `CHAT_REMINDER_NOT_FOUND` when it is not yours or has fired already.",
  request: { params: ReminderParams },
  responses: { 204: { description: "Deleted" }, ...errorResponses(404) },
});
