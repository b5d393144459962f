import { depsOf } from "../../platform/context";
import type { AppRouteHandler } from "../../platform/openapi";
import type * as routes from "./reads.routes";
import * as service from "./reads.service";

export const markRead: AppRouteHandler<typeof routes.markRead> = async (c) =>
  c.json(await service.markRead(depsOf(c), c.get("user").id, c.req.valid("param").channelID, c.req.valid("json").last_read_message_id), 200);
