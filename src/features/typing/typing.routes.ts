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
  request: { params: ChannelParams },
  responses: { 204: { description: "Noted" }, ...errorResponses(403, 404) },
});

export const whoIsTyping = createRoute({
  method: "get",
  path: "/v1/channels/{channelID}/typing",
  tags,
  security,
  summary: "Who is typing now",
  request: { params: ChannelParams },
  responses: {
    200: json(
      z.object({
        typing_users: z.array(z.string()).openapi({ description: "Ids of the users typing now", example: ["alice"] }),
        users: z.array(z.object({ user_id: z.string(), display_name: z.string() })).openapi({ example: [{ user_id: "alice", display_name: "Alice" }] }),
      }),
      "Typing users",
    ),
    ...errorResponses(403, 404),
  },
});
