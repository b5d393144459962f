import { depsOf } from "../../platform/context";
import type { AppRouteHandler } from "../../platform/openapi";
import type * as routes from "./mentions.routes";
import * as service from "./mentions.service";

export const listMentions: AppRouteHandler<typeof routes.listMentions> = async (c) =>
  c.json(await service.listMentions(depsOf(c), c.get("user").id, c.req.valid("query")), 200);
