import { depsOf } from "../../platform/context";
import { inRoom } from "../../room/changes";
import type { AppRouteHandler } from "../../platform/openapi";
import { seconds } from "../../platform/schemas";
import { untilOf } from "../moderation/moderation.queries";
import { mutedUntilSeconds } from "./access";
import * as q from "./channels.queries";
import type * as routes from "./channels.routes";
import { channelJson } from "./channels.schemas";
import * as service from "./channels.service";

export const listChannels: AppRouteHandler<typeof routes.listChannels> = async (c) => {
  const { include_hidden, limit, before } = c.req.valid("query");
  const cursor = before ? { lastActivityAt: Number(before.split(".")[0]), id: before.split(".")[1]! } : undefined;
  const rows = await q.listChannelsForUser(c.get("db"), c.get("user").id, include_hidden ?? false, limit + 1, cursor);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  if (rows.length > limit && last) {
    // The body is a bare array (as it always was), so the next page is announced in a Link header.
    const next = new URL(c.req.url);
    next.searchParams.set("limit", String(limit));
    next.searchParams.set("before", `${last.channel.lastActivityAt}.${last.channel.id}`);
    c.header("Link", `<${next.pathname}${next.search}>; rel="next"`);
  }
  const body = page.map((r) => ({
    ...channelJson(r.channel, r.otherUserId ? { id: r.otherUserId, displayName: r.otherUserName ?? r.otherUserId } : null),
    unread_count: r.unreadCount,
    mention_count: r.mentionCount,
    last_message_at: r.channel.lastMessageAt === null ? null : seconds(r.channel.lastMessageAt),
    last_read_message_id: r.lastReadMessageId,
    hidden: r.hidden,
    role: r.role,
    muted_until: mutedUntilSeconds({ mutedUntil: untilOf(r.muteUntil) }),
  }));
  return c.json(body, 200);
};

export const createChannel: AppRouteHandler<typeof routes.createChannel> = async (c) => {
  const { channel, created } = await service.createChannel(depsOf(c), c.get("user").id, c.req.valid("json"));
  return created ? c.json(channel, 201) : c.json(channel, 200);
};

export const getChannel: AppRouteHandler<typeof routes.getChannel> = async (c) =>
  c.json(await service.getChannel(depsOf(c), c.get("user").id, c.req.valid("param").channelID), 200);

export const updateChannel: AppRouteHandler<typeof routes.updateChannel> = async (c) => {
  const { channelID } = c.req.valid("param");
  return c.json(await inRoom(depsOf(c), channelID, "updateChannel", c.get("user").id, channelID, c.req.valid("json")), 200);
};

export const deleteChannel: AppRouteHandler<typeof routes.deleteChannel> = async (c) => {
  const { channelID } = c.req.valid("param");
  await inRoom(depsOf(c), channelID, "deleteChannel", c.get("user").id, channelID);
  return c.body(null, 204);
};

export const listRooms: AppRouteHandler<typeof routes.listRooms> = async (c) => {
  const { limit, before } = c.req.valid("query");
  const rows = await q.listRooms(c.get("db"), c.get("user").id, limit + 1, before);
  const rooms = rows.slice(0, limit).map((r) => ({ ...channelJson(r.channel), member_count: r.channel.memberCount, is_member: !!r.isMember }));
  return c.json({ rooms, has_more: rows.length > limit }, 200);
};
