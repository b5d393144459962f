import { depsOf } from "../../platform/context";
import { inRoom } from "../../room/changes";
import type { AppRouteHandler } from "../../platform/openapi";
import type * as routes from "./pins.routes";
import * as service from "./pins.service";

export const listPins: AppRouteHandler<typeof routes.listPins> = async (c) =>
  c.json(await service.listPins(depsOf(c), c.get("user").id, c.req.valid("param").channelID), 200);

export const pinMessage: AppRouteHandler<typeof routes.pinMessage> = async (c) => {
  const { channelID, messageID } = c.req.valid("param");
  await inRoom(depsOf(c), channelID, "pin", c.get("user").id, channelID, messageID);
  return c.body(null, 204);
};

export const unpinMessage: AppRouteHandler<typeof routes.unpinMessage> = async (c) => {
  const { channelID, messageID } = c.req.valid("param");
  await inRoom(depsOf(c), channelID, "unpin", c.get("user").id, channelID, messageID);
  return c.body(null, 204);
};
