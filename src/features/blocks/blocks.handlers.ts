import type { Context } from "hono";
import type { AppEnv } from "../../env";
import { depsOf } from "../../platform/context";
import type { AppRouteHandler } from "../../platform/openapi";
import { seconds } from "../../platform/schemas";
import { inRoom } from "../../room/changes";
import { dmKey, findDmByKey } from "../channels/dm.queries";
import { setBlocked } from "./blocks.service";
import { roomOf } from "../../realtime/notify";
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

/**
 * A block decides who may post in the pair's DM, so where that DM exists the change runs in its room,
 * ordered with the DM's sends (DESIGN §6); with no DM there is nothing to order it with.
 */
async function changeBlock(c: Context<AppEnv>, userId: string, blocked: boolean) {
  const deps = depsOf(c);
  const me = c.get("user").id;
  const dm = await findDmByKey(deps.db, dmKey(me, userId));
  if (dm && userId !== me) await inRoom(deps, dm.id, "setBlocked", me, userId, blocked);
  else await setBlocked(deps, me, userId, blocked);
  // The blocked user's open sockets in shared channels stop (or start again) seeing the blocker's
  // presence, typing and receipts; new sockets read it at admission.
  if (userId !== me) await Promise.all((await q.sharedChannels(deps.db, me, userId)).map((id) => roomOf(deps.env, id).blockChanged(id, me, userId, blocked)));
}

export const block: AppRouteHandler<typeof routes.block> = async (c) => {
  await changeBlock(c, c.req.valid("param").userID, true);
  return c.body(null, 204);
};

export const unblock: AppRouteHandler<typeof routes.unblock> = async (c) => {
  await changeBlock(c, c.req.valid("param").userID, false);
  return c.body(null, 204);
};
