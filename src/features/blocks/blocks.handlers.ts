import { ApiError, userNotFound } from "../../platform/errors";
import type { AppRouteHandler } from "../../platform/openapi";
import { seconds } from "../../platform/schemas";
import { getUser } from "../users/users.queries";
import * as q from "./blocks.queries";
import type * as routes from "./blocks.routes";

export const listBlocks: AppRouteHandler<typeof routes.listBlocks> = async (c) => {
  const { limit, before } = c.req.valid("query");
  const cursor = before ? { createdAt: Number(before.slice(0, before.indexOf("."))), userId: before.slice(before.indexOf(".") + 1) } : undefined;
  const rows = await q.listBlocks(c.get("db"), c.get("user").id, limit + 1, cursor);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const hasMore = rows.length > limit;
  return c.json(
    {
      blocks: page.map((r) => ({ user_id: r.userId, display_name: r.displayName, created_at: seconds(r.createdAt) })),
      has_more: hasMore,
      next_cursor: hasMore && last ? `${last.createdAt}.${last.userId}` : null,
    },
    200,
  );
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
