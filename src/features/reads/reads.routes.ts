import { createRoute } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody, userSecurity as security } from "../../platform/openapi";
import { ChannelParams } from "../channels/channels.schemas";
import { ListMembersQuery } from "../members/members.schemas";
import { ReadBody, ReadCursor, ReadReceipts } from "./reads.schemas";

export const markRead = createRoute({
  method: "post",
  path: "/v1/channels/{channelID}/read",
  tags: ["Messages"],
  security,
  summary: "Move your read cursor to a message (forwards, or back to mark unread)",
  description:
    "Members only. Moves your cursor to a top-level message of the channel, forwards or back (marking unread); a thread reply is not a cursor (404). " +
    "`unread_count` and `mention_count` in the channel list count from it. A `read` event goes to every member's sockets in DMs and groups (\"seen\"), to your own only in rooms.",
  request: { params: ChannelParams, body: jsonBody(ReadBody) },
  responses: { 200: json(ReadCursor, "Your cursor"), ...errorResponses(400, 403, 404) },
});

export const listReads = createRoute({
  method: "get",
  path: "/v1/channels/{channelID}/reads",
  tags: ["Messages"],
  security,
  summary: "Read receipts: every member's read cursor (members only)",
  description:
    "Paged like the member list: earliest joined first, up to `limit` (default and max 1000); when more follow, a " +
    '`Link: <…>; rel="next"` header gives the next page. A member who never read has a null cursor and `updated_at`.',
  request: { params: ChannelParams, query: ListMembersQuery },
  responses: { 200: json(ReadReceipts, "Every member's cursor"), ...errorResponses(400, 403, 404) },
});
