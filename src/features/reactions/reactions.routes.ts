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
  description:
    "Whoever may post reacts with `emote_asset_id`: a platform emote id (1–20 digits) or exactly one Unicode emoji (👍, ❤️, 👍🏽, 🏳️‍🌈). " +
    "Once per user and emote (409 `CHAT_REACTION_EXISTS`); at most 20 different emotes per message (400 `CHAT_TOO_MANY_REACTIONS`). Subscribers get `reaction_add`.",
  request: { params: MessageParams, body: jsonBody(ReactionBody) },
  responses: { 201: json(z.object({ message: z.literal("Reaction added") }), "Added"), ...errorResponses(400, 403, 404, 409) },
});

export const removeReaction = createRoute({
  method: "delete",
  path: "/v1/channels/{channelID}/messages/{messageID}/reactions/{emoteID}",
  tags,
  security,
  summary: "Remove your reaction",
  description:
    "Removes your reaction with that emote (an emoji is percent-encoded in the path); 404 `CHAT_REACTION_NOT_FOUND` when you had none. Subscribers get `reaction_remove`.",
  request: { params: ReactionParams },
  responses: { 204: { description: "Removed" }, ...errorResponses(400, 403, 404) },
});
