import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, json, userSecurity as security } from "../../platform/openapi";
import { ChannelParams } from "../channels/channels.schemas";

const tags = ["Real-time"];

export const startTyping = createRoute({
  method: "post",
  path: "/v1/channels/{channelID}/typing",
  tags,
  security,
  summary: "You are typing: others see a typing event (at most one per 3 s); lasts 8 s",
  description:
    "Marks you typing for 8 seconds; call it again while you keep typing (sockets can send `{\"type\":\"typing\"}` instead). " +
    "Other members' sockets get an ephemeral `typing` event, at most one per user per 3 s; your own sockets get none. " +
    "Only those who may send may type: not plain members of broadcast channels (403 `CHAT_BROADCAST_ONLY`), nobody in archived channels (403 `CHAT_CHANNEL_ARCHIVED`) or in a DM with a block (403 `CHAT_DM_BLOCKED_USER`).",
  request: { params: ChannelParams },
  responses: { 204: { description: "Noted" }, ...errorResponses(403, 404) },
});

export const whoIsTyping = createRoute({
  method: "get",
  path: "/v1/channels/{channelID}/typing",
  tags,
  security,
  summary: "Who is typing now",
  description:
    "The users who marked themselves typing in the last 8 seconds, by id (`typing_users`) and with their display names (`users`). " +
    "For members of the channel (a room's non-member gets 403 `CHAT_NOT_MEMBER`, a group's 404). Useful after (re)connecting; afterwards follow the `typing` events.",
  request: { params: ChannelParams },
  responses: {
    200: json(
      z.object({
        typing_users: z.array(z.string()).openapi({ description: "Ids of the users typing now", example: ["alice"] }),
        users: z.array(z.object({ user_id: z.string(), display_name: z.string() })).openapi({ example: [{ user_id: "alice", display_name: "Alice Martin" }] }),
      }),
      "Typing users",
    ),
    ...errorResponses(403, 404),
  },
});
