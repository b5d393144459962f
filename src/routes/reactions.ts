import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../app";
import type { Db } from "../env";
import { getMessage } from "../db/history/messages";
import * as q from "../db/history/reactions";
import { loadChannel, requirePoster } from "../lib/access";
import { isUniqueViolation } from "../lib/db-errors";
import { ApiError, messageNotFound } from "../lib/errors";
import { publish } from "../realtime/notify";
import { errorResponses, json, jsonBody } from "../schemas/common";
import { MessageParams, ReactionBody, ReactionParams } from "../schemas/messages";

const security = [{ bearerAuth: [] }];
const tags = ["Reactions"];
export const MAX_DISTINCT_EMOTES = 20;

export const reactionsRouter = createRouter();

const reactionExists = () => new ApiError("CHAT_REACTION_EXISTS", "You already reacted with this emote");

/** The live (not deleted) message the caller may react to. */
async function reactableMessage(db: Db, me: string, channelId: string, messageId: string) {
  const access = await loadChannel(db, channelId, me);
  await requirePoster(db, access, me);
  const message = await getMessage(db, access.channel.id, messageId);
  if (!message || message.deletedAt !== null) throw messageNotFound();
  return message;
}

reactionsRouter.openapi(
  createRoute({
    method: "post",
    path: "/v1/channels/{channelID}/messages/{messageID}/reactions",
    tags,
    security,
    summary: `React with an emote (at most ${MAX_DISTINCT_EMOTES} distinct emotes per message)`,
    request: { params: MessageParams, body: jsonBody(ReactionBody) },
    responses: { 201: json(z.object({ message: z.literal("Reaction added") }), "Added"), ...errorResponses(400, 403, 404, 409) },
  }),
  async (c) => {
    const db = c.get("db");
    const me = c.get("user").id;
    const { channelID, messageID } = c.req.valid("param");
    const { emote_asset_id: emote } = c.req.valid("json");
    const message = await reactableMessage(db, me, channelID, messageID);
    const emotes = await q.emotesOn(db, message.id, me);
    const existing = emotes.find((e) => e.emote === emote);
    if (existing?.mine) throw reactionExists();
    if (!existing && emotes.length >= MAX_DISTINCT_EMOTES) {
      throw new ApiError("CHAT_TOO_MANY_REACTIONS", `A message takes at most ${MAX_DISTINCT_EMOTES} distinct emotes`);
    }
    try {
      await q.addReaction(db, message.id, emote, me);
    } catch (err) {
      if (isUniqueViolation(err)) throw reactionExists();
      throw err;
    }
    await publish(c, message.channelId, "reaction_add", { message_id: message.id, emote_asset_id: emote, user_id: me });
    return c.json({ message: "Reaction added" as const }, 201);
  },
);

reactionsRouter.openapi(
  createRoute({
    method: "delete",
    path: "/v1/channels/{channelID}/messages/{messageID}/reactions/{emoteID}",
    tags,
    security,
    summary: "Remove your reaction",
    request: { params: ReactionParams },
    responses: { 204: { description: "Removed" }, ...errorResponses(400, 403, 404) },
  }),
  async (c) => {
    const { channelID, messageID, emoteID } = c.req.valid("param");
    const message = await reactableMessage(c.get("db"), c.get("user").id, channelID, messageID);
    const me = c.get("user").id;
    if (!(await q.removeReaction(c.get("db"), message.id, emoteID, me))) {
      throw new ApiError("CHAT_REACTION_NOT_FOUND", "You have not reacted with this emote");
    }
    await publish(c, message.channelId, "reaction_remove", { message_id: message.id, emote_asset_id: emoteID, user_id: me });
    return c.body(null, 204);
  },
);
