import { ApiError, userNotFound } from "../../platform/errors";
import type { AppRouteHandler } from "../../platform/openapi";
import { seconds } from "../../platform/schemas";
import { getUser } from "../users/users.queries";
import * as q from "./blocks.queries";
import type * as routes from "./blocks.routes";

export const listBlocks: AppRouteHandler<typeof routes.listBlocks> = async (c) => {
  const rows = await q.listBlocks(c.get("db"), c.get("user").id);
  return c.json({ blocks: rows.map((r) => ({ user_id: r.userId, display_name: r.displayName, created_at: seconds(r.createdAt) })) }, 200);
};

export const block: AppRouteHandler<typeof routes.block> = async (c) => {
  const db = c.get("db");
  const me = c.get("user").id;
  const { userID } = c.req.valid("param");
  if (userID === me) throw new ApiError("VALIDATION_FAILED", "You cannot block yourself");
  if (!(await getUser(db, userID))) throw userNotFound(userID);
  await q.blockUser(db, me, userID);
  return c.body(null, 204);
};

export const unblock: AppRouteHandler<typeof routes.unblock> = async (c) => {
  await q.unblockUser(c.get("db"), c.get("user").id, c.req.valid("param").userID);
  return c.body(null, 204);
};
