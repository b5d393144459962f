import { depsOf } from "../../platform/context";
import type { AppRouteHandler } from "../../platform/openapi";
import type * as routes from "./threads.routes";
import * as service from "./threads.service";

export const listReplies: AppRouteHandler<typeof routes.listReplies> = async (c) => {
  const { channelID, messageID } = c.req.valid("param");
  return c.json(await service.listReplies(depsOf(c), c.get("user").id, channelID, messageID, c.req.valid("query")), 200);
};
