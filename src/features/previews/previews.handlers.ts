import { depsOf } from "../../platform/context";
import type { AppRouteHandler } from "../../platform/openapi";
import { inRoom } from "../../room/changes";
import type * as routes from "./previews.routes";

export const removePreview: AppRouteHandler<typeof routes.removePreview> = async (c) => {
  const { channelID, messageID } = c.req.valid("param");
  return c.json(await inRoom(depsOf(c), channelID, "removePreview", c.get("user").id, channelID, messageID, c.req.valid("query").url), 200);
};
