import { createRoute } from "@hono/zod-openapi";
import { errorResponses, json, userSecurity as security } from "../../platform/openapi";
import { MessagePage, MessageParams } from "../messages/messages.schemas";
import { ListRepliesQuery } from "./threads.schemas";

export const listReplies = createRoute({
  method: "get",
  path: "/v1/channels/{channelID}/messages/{messageID}/replies",
  tags: ["Messages"],
  security,
  summary: "List a thread's replies, newest first (cursors: before, after)",
  description:
    "Pages a thread exactly like the channel list: newest first, `has_more`. The root itself is not in the page " +
    "(it is in the channel list, with `reply_count` and `last_reply_at`). A root that is not a top-level message " +
    "of the channel, or is deleted and has no replies left, is 404 `CHAT_MESSAGE_NOT_FOUND`.",
  request: { params: MessageParams, query: ListRepliesQuery },
  responses: { 200: json(MessagePage, "A page of replies"), ...errorResponses(400, 403, 404) },
});
