import * as q from "../db/queries/channels";
import { getUser } from "../db/queries/users";
import { isBlockedEitherWay } from "../db/queries/blocks";
import { unhide } from "../db/queries/members";
import { createRouter } from "../app";
import type { Db } from "../env";
import { loadChannel, refuseDm, requireChannelAdmin, requireKnownUsers, requireOwner } from "../lib/access";
import { ApiError, userNotFound } from "../lib/errors";
import { channelJson, seconds } from "../lib/serialize";
import { announceDeletion, publish } from "../realtime/notify";
import * as routes from "./channels.routes";

export const channelsRouter = createRouter();

channelsRouter.openapi(routes.listChannels, async (c) => {
  const { include_hidden } = c.req.valid("query");
  const rows = await q.listChannelsForUser(c.get("db"), c.get("user").id, include_hidden ?? false);
  const body = rows.map((r) => ({
    ...channelJson(r.channel, r.otherUserId ? { id: r.otherUserId, displayName: r.otherUserName ?? r.otherUserId } : null),
    unread_count: r.unreadCount,
    last_message_at: r.channel.lastMessageAt === null ? null : seconds(r.channel.lastMessageAt),
    last_read_message_id: r.lastReadMessageId,
    hidden: r.hidden,
    role: r.role,
  }));
  return c.json(body, 200);
});

channelsRouter.openapi(routes.createChannel, async (c) => {
  const body = c.req.valid("json");
  const db = c.get("db");
  const me = c.get("user").id;

  if (body.type === "dm") {
    const { channel, created, partner } = await openDm(db, me, body.user_id);
    return c.json(channelJson(channel, partner), created ? 201 : 200);
  }

  const memberIds = [...new Set(body.member_ids)].filter((id) => id !== me);
  await requireKnownUsers(db, memberIds);
  const channel = await q.createGroupOrRoom(db, {
    type: body.type,
    name: body.name,
    broadcast: body.broadcast,
    ownerId: me,
    memberIds,
  });
  return c.json(channelJson(channel), 201);
});

/** Returns the pair's DM, creating it on first use; reopening it unhides it for the caller. */
async function openDm(db: Db, me: string, otherId: string) {
  if (otherId === me) throw new ApiError("CHAT_CANNOT_DM_SELF", "You cannot open a DM with yourself");
  const partner = await getUser(db, otherId);
  if (!partner) throw userNotFound(otherId);
  if (await isBlockedEitherWay(db, me, otherId)) {
    throw new ApiError("CHAT_DM_BLOCKED_USER", "One of you has blocked the other");
  }
  const { channel, created } = await q.findOrCreateDm(db, me, otherId);
  if (!created) await unhide(db, channel.id, me);
  return { channel, created, partner };
}

channelsRouter.openapi(routes.getChannel, async (c) => {
  const db = c.get("db");
  const me = c.get("user").id;
  const { channel } = await loadChannel(db, c.req.valid("param").channelID, me);
  const partner = channel.type === "dm" ? await q.findDmPartner(db, channel, me) : null;
  return c.json(channelJson(channel, partner), 200);
});

channelsRouter.openapi(routes.updateChannel, async (c) => {
  const db = c.get("db");
  const access = await loadChannel(db, c.req.valid("param").channelID, c.get("user").id);
  refuseDm(access);
  requireChannelAdmin(access, "change channel settings");
  const updated = channelJson((await q.updateChannel(db, access.channel.id, c.req.valid("json"))) ?? access.channel);
  await publish(c, access.channel.id, "channel_update", updated);
  return c.json(updated, 200);
});

channelsRouter.openapi(routes.deleteChannel, async (c) => {
  const db = c.get("db");
  const access = await loadChannel(db, c.req.valid("param").channelID, c.get("user").id);
  refuseDm(access);
  requireOwner(access, "delete the channel");
  await q.deleteChannel(db, access.channel.id);
  await announceDeletion(c, access.channel.id);
  return c.body(null, 204);
});

channelsRouter.openapi(routes.listRooms, async (c) => {
  const { limit, before } = c.req.valid("query");
  const rows = await q.listRooms(c.get("db"), c.get("user").id, limit + 1, before);
  const page = rows.slice(0, limit);
  const rooms = page.map((r) => ({ ...channelJson(r.channel), member_count: r.channel.memberCount, is_member: !!r.isMember }));
  return c.json({ rooms, has_more: rows.length > limit }, 200);
});
