import type { AppRouteHandler } from "../../platform/openapi";
import { roomOf } from "../../realtime/notify";
import { loadChannel, requireMember, requirePoster } from "../channels/access";
import type * as routes from "./typing.routes";

export const startTyping: AppRouteHandler<typeof routes.startTyping> = async (c) => {
  const me = c.get("user").id;
  const access = await loadChannel(c.get("db"), c.req.valid("param").channelID, me);
  // Typing announces a message to come: only those who may send one.
  await requirePoster(c.get("db"), access, me);
  await roomOf(c.env, access.channel.id).typing(access.channel.id, me);
  return c.body(null, 204);
};

export const whoIsTyping: AppRouteHandler<typeof routes.whoIsTyping> = async (c) => {
  const access = await loadChannel(c.get("db"), c.req.valid("param").channelID, c.get("user").id);
  requireMember(access);
  return c.json({ typing_users: await roomOf(c.env, access.channel.id).typingUsers() }, 200);
};
