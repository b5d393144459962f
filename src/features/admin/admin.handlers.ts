import { RESERVED_ID_PREFIXES, isReservedUserId } from "../../platform/auth";
import { ApiError, channelNotFound } from "../../platform/errors";
import { isId } from "../../platform/ids";
import { roomOf } from "../../realtime/notify";
import type { AppRouteHandler } from "../../platform/openapi";
import { provisionUser as provision } from "../users/users.queries";
import type * as routes from "./admin.routes";

export const provisionUser: AppRouteHandler<typeof routes.provisionUser> = async (c) => {
  const { userID } = c.req.valid("param");
  if (isReservedUserId(userID)) throw new ApiError("VALIDATION_FAILED", `ids starting ${RESERVED_ID_PREFIXES.join(" or ")} are reserved`);
  const row = await provision(c.get("db"), userID, c.req.valid("json").display_name);
  return c.json({ id: row.id, display_name: row.displayName, kind: row.kind }, 200);
};

/** A room's counters; a malformed id never reaches (and creates) a room. */
export const roomStats: AppRouteHandler<typeof routes.roomStats> = async (c) => {
  const { channelID } = c.req.valid("param");
  if (!isId(channelID)) throw channelNotFound();
  return c.json(await roomOf(c.env, channelID).stats(), 200);
};
