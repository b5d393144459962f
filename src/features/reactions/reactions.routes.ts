import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody, userSecurity as security } from "../../platform/openapi";
import { MessageParams } from "../messages/messages.schemas";
import { ReactionBody, ReactionParams } from "./reactions.schemas";
import { MAX_DISTINCT_EMOTES } from "./reactions.service";

const tags = ["Reactions"];

export const addReaction = createRoute({
  method: "post",
  path: "/v1/channels/{channelID}/messages/{messageID}/reactions",
  tags,
  security,
  summary: `React with an emote (at most ${MAX_DISTINCT_EMOTES} distinct emotes per message)`,
  request: { params: MessageParams, body: jsonBody(ReactionBody) },
  responses: { 201: json(z.object({ message: z.literal("Reaction added") }), "Added"), ...errorResponses(400, 403, 404, 409) },
});

export const removeReaction = createRoute({
  method: "delete",
  path: "/v1/channels/{channelID}/messages/{messageID}/reactions/{emoteID}",
  tags,
  security,
  summary: "Remove your reaction",
  request: { params: ReactionParams },
  responses: { 204: { description: "Removed" }, ...errorResponses(400, 403, 404) },
});
