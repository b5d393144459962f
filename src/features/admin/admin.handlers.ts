import { RESERVED_TEXT, isReservedUserId } from "../../platform/auth";
import { ApiError, channelNotFound } from "../../platform/errors";
import { isId } from "../../platform/ids";
import { roomOf } from "../../realtime/notify";
import { depsOf } from "../../platform/context";
import { inRoom } from "../../room/changes";
import type { AppRouteHandler } from "../../platform/openapi";
import { provisionUser as provision, provisionUsers as provisionMany } from "../users/users.queries";
import type * as routes from "./admin.routes";

export const provisionUser: AppRouteHandler<typeof routes.provisionUser> = async (c) => {
  const { userID } = c.req.valid("param");
  if (isReservedUserId(userID)) throw new ApiError("VALIDATION_FAILED", RESERVED_TEXT);
  const row = await provision(c.get("db"), userID, c.req.valid("json").display_name);
  const json = { id: row.id, display_name: row.displayName, kind: row.kind };
  // Created now: its creation and last update are the same instant.
  return row.createdAt === row.updatedAt ? c.json(json, 201) : c.json(json, 200);
};

export const provisionUsers: AppRouteHandler<typeof routes.provisionUsers> = async (c) => {
  const byId = new Map(c.req.valid("json").users.map((u) => [u.id, u.display_name]));
  const reserved = [...byId.keys()].find(isReservedUserId);
  if (reserved) throw new ApiError("VALIDATION_FAILED", `${RESERVED_TEXT} (${reserved})`);
  const counts = await provisionMany(c.get("db"), [...byId].map(([id, displayName]) => ({ id, displayName })));
  return c.json(counts, 200);
};

/** A room's counters; a malformed id never reaches (and creates) a room. */
export const roomStats: AppRouteHandler<typeof routes.roomStats> = async (c) => {
  const { channelID } = c.req.valid("param");
  if (!isId(channelID)) throw channelNotFound();
  return c.json(await roomOf(c.env, channelID).stats(), 200);
};

/** Runs in the channel's room (a rights change). */
export const assignOwner: AppRouteHandler<typeof routes.assignOwner> = async (c) => {
  const { channelID } = c.req.valid("param");
  return c.json(await inRoom(depsOf(c), channelID, "assignOwner", channelID, c.req.valid("json").user_id), 200);
};
