import { createRouter } from "../app";
import * as q from "../db/queries/members";
import { type ChannelAccess, isAdminRole, loadChannel, refuseDm, requireChannelAdmin, requireMember, requireOwner } from "../lib/access";
import { isUniqueViolation } from "../lib/db-errors";
import { ApiError, userNotFound } from "../lib/errors";
import { channelJson, memberJson } from "../lib/serialize";
import { announceRemoval, publish } from "../realtime/notify";
import * as routes from "./members.routes";

export const membersRouter = createRouter();

const alreadyMember = () => new ApiError("CHAT_ALREADY_MEMBER", "User is already a member");
const notAMember = (id: string) => new ApiError("CHAT_USER_NOT_FOUND", `User ${id} is not a member of this channel`);

/** Granting or revoking admin: the owner, or any admin of a channel that has no owner. */
function requireRoleManager(access: ChannelAccess, action: string) {
  return access.channel.ownerId ? requireOwner(access, action) : requireChannelAdmin(access, action);
}

membersRouter.openapi(routes.listMembers, async (c) => {
  const db = c.get("db");
  const { channel } = await loadChannel(db, c.req.valid("param").channelID, c.get("user").id);
  const { limit, after } = c.req.valid("query");
  const cursor = after ? { joinedAt: Number(after.slice(0, after.indexOf("."))), userId: after.slice(after.indexOf(".") + 1) } : undefined;
  const rows = await q.listMembers(db, channel.id, limit + 1, cursor);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  if (rows.length > limit && last) {
    // The seed's body is a bare array, so the next page is announced the way GitHub does it.
    const next = new URL(c.req.url);
    next.searchParams.set("limit", String(limit));
    next.searchParams.set("after", `${last.joinedAt}.${last.userId}`);
    c.header("Link", `<${next.pathname}${next.search}>; rel="next"`);
  }
  return c.json(page.map(memberJson), 200);
});

membersRouter.openapi(routes.addMember, async (c) => {
  const db = c.get("db");
  const me = c.get("user").id;
  const { user_id: userId, role } = c.req.valid("json");
  const access = await loadChannel(db, c.req.valid("param").channelID, me);
  refuseDm(access);
  if (userId === me && access.membership) throw alreadyMember();

  const joiningRoom = userId === me && access.channel.type === "room";
  if (joiningRoom) {
    if (role !== "member") throw new ApiError("CHAT_NOT_ADMIN", "You can only join a room as a member");
  } else {
    requireChannelAdmin(access, "add members");
    if (role === "admin") requireRoleManager(access, "grant admin");
  }

  const target = await q.findUserInChannel(db, access.channel.id, userId);
  if (!target) throw userNotFound(userId);
  if (target.role) throw alreadyMember();
  try {
    const joinedAt = await q.addMember(db, access.channel.id, userId, role);
    const member = memberJson({ userId, displayName: target.displayName, role, joinedAt });
    await publish(c, access.channel.id, "member_add", member);
    return c.json(member, 201);
  } catch (err) {
    if (isUniqueViolation(err)) throw alreadyMember();
    throw err;
  }
});

membersRouter.openapi(routes.updateMyMembership, async (c) => {
  const db = c.get("db");
  const user = c.get("user");
  const access = await loadChannel(db, c.req.valid("param").channelID, user.id);
  const membership = requireMember(access);
  const { hidden } = c.req.valid("json");
  await q.setHidden(db, access.channel.id, user.id, hidden);
  const target = await q.findUserInChannel(db, access.channel.id, user.id);
  return c.json({ ...memberJson({ ...membership, userId: user.id, displayName: target?.displayName ?? user.name }), hidden }, 200);
});

membersRouter.openapi(routes.updateMember, async (c) => {
  const db = c.get("db");
  const me = c.get("user").id;
  const { channelID, userID } = c.req.valid("param");
  const { role } = c.req.valid("json");
  const access = await loadChannel(db, channelID, me);
  refuseDm(access);
  requireRoleManager(access, "change roles");

  const target = await q.findUserInChannel(db, access.channel.id, userID);
  if (!target?.role || target.joinedAt === null) throw notAMember(userID);
  const member = memberJson({ userId: userID, displayName: target.displayName, role, joinedAt: target.joinedAt });
  if (target.role === role) return c.json(member, 200);
  if (role === "owner") {
    await q.transferOwnership(db, access.channel.id, access.channel.ownerId, userID);
    // One event for the whole transfer: the channel's new owner_id (clients refetch roles).
    await publish(c, access.channel.id, "channel_update", channelJson({ ...access.channel, ownerId: userID }));
  } else {
    if (target.role === "owner") {
      throw new ApiError("CHAT_CANNOT_REMOVE_OWNER", "The owner keeps their role until ownership is transferred");
    }
    await q.setRole(db, access.channel.id, userID, role);
    await publish(c, access.channel.id, "member_update", member);
  }
  return c.json(member, 200);
});

membersRouter.openapi(routes.removeMember, async (c) => {
  const db = c.get("db");
  const me = c.get("user").id;
  const { channelID, userID } = c.req.valid("param");
  const targetId = userID === "me" ? me : userID;
  const access = await loadChannel(db, channelID, me);
  refuseDm(access);
  const membership = requireMember(access);
  if (targetId !== me) requireChannelAdmin(access, "remove members");

  const target = await q.findUserInChannel(db, access.channel.id, targetId);
  if (!target?.role) throw notAMember(targetId);
  if (target.role === "owner") throw new ApiError("CHAT_CANNOT_REMOVE_OWNER", "The owner cannot be removed");
  if (targetId !== me && isAdminRole(target.role) && access.channel.ownerId && membership.role !== "owner") {
    throw new ApiError("CHAT_NOT_ADMIN", "Only the owner can remove admins");
  }
  if (await q.removeMember(db, access.channel.id, targetId)) await announceRemoval(c, access.channel.id, targetId);
  return c.body(null, 204);
});
