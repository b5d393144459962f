import { depsOf } from "../../platform/context";
import type { AppRouteHandler } from "../../platform/openapi";
import { enforceSearchRateLimit } from "../../platform/rate-limit";
import type * as routes from "./search.routes";
import * as service from "./search.service";

/** The query is validated first (a refused `q` spends no search budget), then the budget, then the search. */
export const searchMessages: AppRouteHandler<typeof routes.searchMessages> = async (c) => {
  const me = c.get("user").id;
  await enforceSearchRateLimit(c.env, me);
  return c.json(await service.searchMessages(depsOf(c), me, c.req.valid("query")), 200);
};
