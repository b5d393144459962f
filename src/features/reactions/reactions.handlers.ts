import { depsOf } from "../../platform/context";
import { inRoom } from "../../room/changes";
import type { AppRouteHandler } from "../../platform/openapi";
import type * as routes from "./reactions.routes";

export const addReaction: AppRouteHandler<typeof routes.addReaction> = async (c) => {
  const { channelID, messageID } = c.req.valid("param");
  await inRoom(depsOf(c), channelID, "addReaction", c.get("user").id, channelID, messageID, c.req.valid("json").emote_asset_id);
  return c.json({ message: "Reaction added" as const }, 201);
};

export const removeReaction: AppRouteHandler<typeof routes.removeReaction> = async (c) => {
  const { channelID, messageID, emoteID } = c.req.valid("param");
  await inRoom(depsOf(c), channelID, "removeReaction", c.get("user").id, channelID, messageID, emoteID);
  return c.body(null, 204);
};
