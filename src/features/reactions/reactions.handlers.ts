import { depsOf } from "../../platform/context";
import type { AppRouteHandler } from "../../platform/openapi";
import type * as routes from "./reactions.routes";
import * as service from "./reactions.service";

export const addReaction: AppRouteHandler<typeof routes.addReaction> = async (c) => {
  const { channelID, messageID } = c.req.valid("param");
  await service.addReaction(depsOf(c), c.get("user").id, channelID, messageID, c.req.valid("json").emote_asset_id);
  return c.json({ message: "Reaction added" as const }, 201);
};

export const removeReaction: AppRouteHandler<typeof routes.removeReaction> = async (c) => {
  const { channelID, messageID, emoteID } = c.req.valid("param");
  await service.removeReaction(depsOf(c), c.get("user").id, channelID, messageID, emoteID);
  return c.body(null, 204);
};
