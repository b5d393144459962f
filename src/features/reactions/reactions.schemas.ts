import { z } from "@hono/zod-openapi";
import { AssetId, MessageParams } from "../messages/messages.schemas";

export const ReactionParams = MessageParams.extend({
  emoteID: AssetId.openapi({ param: { name: "emoteID", in: "path" }, type: "string" }),
});

export const ReactionBody = z.object({ emote_asset_id: AssetId }).openapi("AddReaction");

