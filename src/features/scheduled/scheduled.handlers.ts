import { depsOf } from "../../platform/context";
import type { AppRouteHandler } from "../../platform/openapi";
import type * as routes from "./scheduled.routes";
import * as service from "./scheduled.service";

export const listScheduled: AppRouteHandler<typeof routes.listScheduled> = async (c) => c.json(await service.listScheduled(depsOf(c), c.get("user").id), 200);

export const editScheduled: AppRouteHandler<typeof routes.editScheduled> = async (c) => {
  const { body, inline_emotes, mentioned_user_ids, send_at } = c.req.valid("json");
  const edited = await service.editScheduled(depsOf(c), c.get("user").id, c.req.valid("param").scheduledID, { body, inlineEmotes: inline_emotes, mentionedUserIds: mentioned_user_ids, sendAt: send_at });
  return c.json({ scheduled_message: edited }, 200);
};

export const cancelScheduled: AppRouteHandler<typeof routes.cancelScheduled> = async (c) => {
  await service.cancelScheduled(depsOf(c), c.get("user").id, c.req.valid("param").scheduledID);
  return c.body(null, 204);
};
