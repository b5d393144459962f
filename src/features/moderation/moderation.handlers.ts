import { depsOf } from "../../platform/context";
import type { AppRouteHandler } from "../../platform/openapi";
import { inRoom } from "../../room/changes";
import { loadChannel, refuseDm, requireChannelAdmin } from "../channels/access";
import { listAudit } from "./audit";
import type * as routes from "./moderation.routes";
import { listBans as listBans_, listMutes as listMutes_ } from "./moderation.service";

export const ban: AppRouteHandler<typeof routes.ban> = async (c) => {
  const { channelID } = c.req.valid("param");
  const { user_id, reason, duration_s } = c.req.valid("json");
  const { ban, created } = await inRoom(depsOf(c), channelID, "banUser", c.get("user").id, channelID, user_id, reason ?? null, duration_s ?? null);
  return created ? c.json(ban, 201) : c.json(ban, 200);
};

export const listBans: AppRouteHandler<typeof routes.listBans> = async (c) =>
  c.json({ bans: await listBans_(depsOf(c), c.get("user").id, c.req.valid("param").channelID) }, 200);

export const unban: AppRouteHandler<typeof routes.unban> = async (c) => {
  const { channelID, userID } = c.req.valid("param");
  await inRoom(depsOf(c), channelID, "unbanUser", c.get("user").id, channelID, userID);
  return c.body(null, 204);
};

export const mute: AppRouteHandler<typeof routes.mute> = async (c) => {
  const { channelID } = c.req.valid("param");
  const { user_id, duration_s } = c.req.valid("json");
  const { mute, created } = await inRoom(depsOf(c), channelID, "muteUser", c.get("user").id, channelID, user_id, duration_s);
  return created ? c.json(mute, 201) : c.json(mute, 200);
};

export const listMutes: AppRouteHandler<typeof routes.listMutes> = async (c) =>
  c.json({ mutes: await listMutes_(depsOf(c), c.get("user").id, c.req.valid("param").channelID) }, 200);

export const unmute: AppRouteHandler<typeof routes.unmute> = async (c) => {
  const { channelID, userID } = c.req.valid("param");
  await inRoom(depsOf(c), channelID, "unmuteUser", c.get("user").id, channelID, userID);
  return c.body(null, 204);
};

export const channelAudit: AppRouteHandler<typeof routes.channelAudit> = async (c) => {
  const db = c.get("db");
  const access = await loadChannel(db, c.req.valid("param").channelID, c.get("user").id);
  refuseDm(access);
  requireChannelAdmin(access, "read the audit log");
  const { actor, target, action, before, limit } = c.req.valid("query");
  return c.json(await listAudit(db, { actor, target, action, before, limit, channelId: access.channel.id }), 200);
};

export const adminAudit: AppRouteHandler<typeof routes.adminAudit> = async (c) => {
  const { actor, target, action, before, limit, channel_id } = c.req.valid("query");
  return c.json(await listAudit(c.get("db"), { actor, target, action, before, limit, channelId: channel_id }), 200);
};
