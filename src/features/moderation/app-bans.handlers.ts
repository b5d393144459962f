import { depsOf } from "../../platform/context";
import type { AppRouteHandler } from "../../platform/openapi";
import { appBan as ban, appUnban as unban } from "./app-bans";
import type * as routes from "./app-bans.routes";

export const appBan: AppRouteHandler<typeof routes.appBan> = async (c) => {
  const { reason, duration_s, shadow } = c.req.valid("json");
  const result = await ban(depsOf(c), c.req.valid("param").userID, reason ?? null, duration_s ?? null, shadow ?? false);
  return result.created ? c.json(result.ban, 201) : c.json(result.ban, 200);
};

export const appUnban: AppRouteHandler<typeof routes.appUnban> = async (c) => {
  await unban(depsOf(c), c.req.valid("param").userID);
  return c.body(null, 204);
};
