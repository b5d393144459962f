import { createRoute } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody, userSecurity as security } from "../../platform/openapi";
import { ChannelParams } from "../channels/channels.schemas";
import { ReadBody, ReadCursor } from "./reads.schemas";

export const markRead = createRoute({
  method: "post",
  path: "/v1/channels/{channelID}/read",
  tags: ["Messages"],
  security,
  summary: "Move your read cursor to a message (forwards, or back to mark unread)",
  request: { params: ChannelParams, body: jsonBody(ReadBody) },
  responses: { 200: json(ReadCursor, "Your cursor"), ...errorResponses(400, 403, 404) },
});
