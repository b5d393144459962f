import type { AppRouteHandler } from "../../platform/openapi";
import { getUser } from "./users.queries";
import type * as routes from "./users.routes";

export const me: AppRouteHandler<typeof routes.me> = async (c) => {
  const user = c.get("user");
  const row = await getUser(c.get("db"), user.id);
  return c.json({ id: user.id, display_name: row?.displayName ?? user.name }, 200);
};
