import { depsOf } from "../../platform/context";
import type { AppRouteHandler } from "../../platform/openapi";
import type * as routes from "./search.routes";
import * as service from "./search.service";

export const searchMessages: AppRouteHandler<typeof routes.searchMessages> = async (c) =>
  c.json(await service.searchMessages(depsOf(c), c.get("user").id, c.req.valid("query")), 200);
