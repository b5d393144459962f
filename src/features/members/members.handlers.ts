import { depsOf } from "../../platform/context";
import { inRoom } from "../../room/changes";
import type { AppRouteHandler } from "../../platform/openapi";
import { loadChannel } from "../channels/access";
import * as q from "./members.queries";
import type * as routes from "./members.routes";
import { memberJson } from "./members.schemas";
import * as service from "./members.service";

export const listMembers: AppRouteHandler<typeof routes.listMembers> = async (c) => {
  const db = c.get("db");
  const { channel } = await loadChannel(db, c.req.valid("param").channelID, c.get("user").id);
  const { limit, after } = c.req.valid("query");
  const cursor = after ? { joinedAt: Number(after.slice(0, after.indexOf("."))), userId: after.slice(after.indexOf(".") + 1) } : undefined;
  const rows = await q.listMembers(db, channel.id, limit + 1, cursor);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  if (rows.length > limit && last) {
    // The body is a bare array, so the next page is announced the way GitHub does it.
    const next = new URL(c.req.url);
    next.searchParams.set("limit", String(limit));
    next.searchParams.set("after", `${last.joinedAt}.${last.userId}`);
    c.header("Link", `<${next.pathname}${next.search}>; rel="next"`);
  }
  return c.json(page.map(memberJson), 200);
};

export const addMember: AppRouteHandler<typeof routes.addMember> = async (c) => {
  const { user_id, role } = c.req.valid("json");
  const me = c.get("user").id;
  // "me" joins a room, as DELETE …/members/me leaves it.
  return c.json(await inRoom(depsOf(c), c.req.valid("param").channelID, "addMember", me, c.req.valid("param").channelID, user_id === "me" ? me : user_id, role), 201);
};

export const getMyMembership: AppRouteHandler<typeof routes.getMyMembership> = async (c) =>
  c.json(await service.updateMyMembership(depsOf(c), c.get("user"), c.req.valid("param").channelID), 200);

export const updateMyMembership: AppRouteHandler<typeof routes.updateMyMembership> = async (c) =>
  c.json(await service.updateMyMembership(depsOf(c), c.get("user"), c.req.valid("param").channelID, c.req.valid("json")), 200);

export const updateMember: AppRouteHandler<typeof routes.updateMember> = async (c) => {
  const { channelID, userID } = c.req.valid("param");
  return c.json(await inRoom(depsOf(c), channelID, "setRole", c.get("user").id, channelID, userID, c.req.valid("json").role), 200);
};

export const removeMember: AppRouteHandler<typeof routes.removeMember> = async (c) => {
  const me = c.get("user").id;
  const { channelID, userID } = c.req.valid("param");
  await inRoom(depsOf(c), channelID, "removeMember", me, channelID, userID === "me" ? me : userID);
  return c.body(null, 204);
};
