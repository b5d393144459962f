import type { AppRouteHandler } from "../../platform/openapi";
import { ApiError } from "../../platform/errors";
import { getUser, setDndUntil } from "./users.queries";
import { dndJson } from "./users.schemas";
import type * as routes from "./users.routes";

export const me: AppRouteHandler<typeof routes.me> = async (c) => {
  const user = c.get("user");
  const row = await getUser(c.get("db"), user.id);
  return c.json({ id: user.id, display_name: row?.displayName ?? user.name, dnd_until: dndJson(row?.dndUntil) }, 200);
};

const YEAR_MS = 366 * 24 * 3600 * 1000;

export const updateMe: AppRouteHandler<typeof routes.updateMe> = async (c) => {
  const user = c.get("user");
  const { dnd_until } = c.req.valid("json");
  const until = dnd_until === null ? null : Date.parse(dnd_until);
  if (until !== null && until > Date.now() + YEAR_MS) {
    const message = "dnd_until must be at most a year ahead";
    throw new ApiError("VALIDATION_FAILED", message, [{ in: "json", path: "dnd_until", code: "custom", message }]);
  }
  // requireUser has created the user row already: the update always finds it.
  const row = await setDndUntil(c.get("db"), user.id, until);
  return c.json({ id: user.id, display_name: row?.displayName ?? user.name, dnd_until: dndJson(row?.dndUntil) }, 200);
};
