import { createRoute } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody, userSecurity as security } from "../../platform/openapi";
import { ChannelParams } from "../channels/channels.schemas";
import { ScheduledAnswer } from "../scheduled/scheduled.schemas";
import { EditMessageBody, IdempotencyHeaders, ListMessagesQuery, Message, MessagePage, MessageParams, SendMessageBody } from "./messages.schemas";

const tags = ["Messages"];

export const listMessages = createRoute({
  method: "get",
  path: "/v1/channels/{channelID}/messages",
  tags,
  security,
  summary: "List messages, newest first (cursors: before, after, around)",
  description:
    "Members only. Top-level messages of the channel, newest first (thread replies are listed by `…/replies`). " +
    "`before`/`after` page away from a message id (excluded); `around` centres a page on one (included) and adds `has_more_after`. " +
    "Deleted messages stay as tombstones (`deleted: true`, no content) so history keeps its shape; reactions show each emote's count and first 100 users.",
  request: { params: ChannelParams, query: ListMessagesQuery },
  responses: { 200: json(MessagePage, "A page of messages"), ...errorResponses(400, 403, 404) },
});

export const sendMessage = createRoute({
  method: "post",
  path: "/v1/channels/{channelID}/messages",
  tags,
  security,
  summary: "Send a message (Idempotency-Key: a retry within 24 h returns the original)",
  description:
    "Whoever may post: members, only owner/admins in a broadcast channel, nobody in an archived channel or a DM where either side blocked the other. " +
    "A body of at most 1000 code points and/or up to 10 of your own completed uploads (any number of images, at most one other file); `inline_emotes` mark code-point ranges of the body. " +
    "`parent_id` replies in a thread (a reply to a reply joins the root); `mentioned_user_ids` keeps members other than you. " +
    "Send an `Idempotency-Key` header: a retry with the same key within 24 h returns the original message (with `Idempotent-Replayed: true`) and stores nothing. " +
    "The app's blocklist (DESIGN §15) applies: a blocked word or link is 422 `CHAT_MESSAGE_BLOCKED` (nothing stored), a masked one is stored with `*` for each matched character, a flagged one is posted and reported. " +
    "Every subscriber gets a `message` event; sending marks the channel read for you. " +
    "With `send_at` (10 s to 30 days ahead) the message is scheduled instead: 202 with `{\"scheduled_message\"}`, checked now as a send would be (content, your right to post, uploads, which it claims) " +
    "and sent at that time (within 2 s) as you, checked again as if you sent it then; refused then, nothing is stored, it stays in your list as `failed` and your user socket gets `scheduled_failed`. " +
    "`Idempotency-Key` does not apply to scheduling. See `/v1/users/me/scheduled-messages`.",
  request: { params: ChannelParams, headers: IdempotencyHeaders, body: jsonBody(SendMessageBody) },
  responses: { 201: json(Message, "The stored message"), 202: json(ScheduledAnswer, "Scheduled (with `send_at`)"), ...errorResponses(400, 403, 404, 409, 422) },
});

export const editMessage = createRoute({
  method: "put",
  path: "/v1/channels/{channelID}/messages/{messageID}",
  tags,
  security,
  summary: "Edit your own message",
  description:
    "The author only, under the same posting rules as a send. The body and `inline_emotes` are replaced (omitted emotes: none); " +
    "`mentioned_user_ids` replaces the mentions when given and keeps them when omitted. Attachments cannot change. A deleted message is 404. " +
    "The blocklist applies as to a send (422 `CHAT_MESSAGE_BLOCKED`, masking, flagging). Subscribers get a `message_update` event with the whole message.",
  request: { params: MessageParams, body: jsonBody(EditMessageBody) },
  responses: { 200: json(Message, "The edited message"), ...errorResponses(400, 403, 404, 422) },
});

export const deleteMessage = createRoute({
  method: "delete",
  path: "/v1/channels/{channelID}/messages/{messageID}",
  tags,
  security,
  summary: "Delete a message (author, or channel owner/admins); it stays as a tombstone",
  description:
    "The author, or the channel's owner/admins (also in archived channels). The message becomes a tombstone: content, reactions, mentions and its pin go, " +
    "its uploads are removed from storage, and a `message_delete` event carries the tombstone. Of concurrent deletes exactly one answers 204; the rest 404. " +
    "A thread root with replies stays listable as a tombstone; deleting a reply updates its root's `reply_count`.",
  request: { params: MessageParams },
  responses: { 204: { description: "Deleted" }, ...errorResponses(403, 404) },
});
