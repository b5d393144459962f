import type { AppRouteHandler } from "../../platform/openapi";
import { roomOf } from "../../realtime/notify";
import { loadChannel, requireMember, requirePoster } from "../channels/access";
import { displayNames } from "../users/users.queries";
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
  const ids = await roomOf(c.env, access.channel.id).typingUsers();
  // The seed's bare ids, plus names so a client can say "Alice is typing…" without another call.
  const names = await displayNames(c.get("db"), ids.slice(0, 100));
  return c.json({ typing_users: ids, users: ids.map((id) => ({ user_id: id, display_name: names.get(id) ?? id })) }, 200);
};
