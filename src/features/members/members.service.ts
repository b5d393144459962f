/** Membership changes, callable from any surface: plain arguments, no HTTP. */
import type { MemberRole } from "../../db/schema";
import type { Deps } from "../../env";
import { isUniqueViolation } from "../../platform/db-errors";
import { ApiError, channelNotFound, userNotFound } from "../../platform/errors";
import { announceChannelAdd, announceRemoval, publish } from "../../realtime/notify";
import { findChannelWithMembership } from "../channels/channels.queries";
import { type ChannelAccess, isAdminRole, loadChannel, refuseBanned, refuseDm, requireChannelAdmin, requireMember, requireOwner } from "../channels/access";
import { findBan, inForce } from "../moderation/moderation.queries";
import { channelJson } from "../channels/channels.schemas";
import * as q from "./members.queries";
import { refuseBlockers } from "../blocks/blocks.service";
import { memberJson } from "./members.schemas";
import { defaultLevel, type NotificationLevel } from "../../push/levels";

const alreadyMember = () => new ApiError("CHAT_ALREADY_MEMBER", "User is already a member");
const notAMember = (id: string) => new ApiError("CHAT_USER_NOT_FOUND", `User ${id} is not a member of this channel`);

/** Granting or revoking admin: the owner, or any admin of a channel that has no owner. */
function requireRoleManager(access: ChannelAccess, action: string) {
  return access.channel.ownerId ? requireOwner(access, action) : requireChannelAdmin(access, action);
}

/** Admins add members; anyone joins a room by adding themselves (as a member). */
export async function addMember(deps: Deps, me: string, channelId: string, userId: string, role: "member" | "admin") {
  const { db } = deps;
  const access = await loadChannel(db, channelId, me);
  refuseDm(access);
  if (userId === me && access.membership) throw alreadyMember();
  if (userId === me && access.channel.type === "room") {
    if (role !== "member") throw new ApiError("CHAT_NOT_ADMIN", "You can only join a room as a member");
  } else {
    requireChannelAdmin(access, "add members");
    if (role === "admin") requireRoleManager(access, "grant admin");
  }
  const [target, ban] = await Promise.all([q.findUserInChannel(db, access.channel.id, userId), findBan(db, access.channel.id, userId)]);
  if (!target) throw userNotFound(userId);
  if (target.role) throw alreadyMember();
  // A ban in force keeps them out however they come back: joining a room or being added (DESIGN §15).
  if (ban && inForce(ban.expiresAt)) {
    if (userId === me) refuseBanned({ bannedUntil: ban.expiresAt });
    throw new ApiError("CHAT_BANNED", `User ${userId} is banned from this channel`);
  }
  if (userId !== me) await refuseBlockers(db, me, [userId]);
  try {
    const joinedAt = await q.addMember(db, access.channel.id, userId, role, Date.now(), deps.writeAhead?.storedPosition());
    const member = memberJson({ userId, displayName: target.displayName, role, joinedAt });
    await publish(deps, access.channel.id, "member_add", member);
    await announceChannelAdd(deps, userId, channelJson(access.channel));
    return member;
  } catch (err) {
    if (isUniqueViolation(err)) throw alreadyMember();
    throw err;
  }
}

/** Your settings of a membership: hidden, and the push level (DESIGN §16; null: the channel's default). */
export async function updateMyMembership({ db }: Deps, me: { id: string; name: string }, channelId: string, patch?: { hidden?: boolean; notifications?: NotificationLevel | null }) {
  const access = await loadChannel(db, channelId, me.id);
  const membership = requireMember(access);
  // No patch: read them (GET …/members/me), e.g. the level a client's channel settings show.
  const row = patch ? await q.setMySettings(db, access.channel.id, me.id, patch) : await q.getMySettings(db, access.channel.id, me.id);
  if (!row) throw new ApiError("CHAT_NOT_MEMBER", "You are not a member of this channel");
  const target = await q.findUserInChannel(db, access.channel.id, me.id);
  const notifications = row.notifications ?? defaultLevel(access.channel);
  return { ...memberJson({ ...membership, userId: me.id, displayName: target?.displayName ?? me.name }), hidden: row.hidden, notifications, notifications_default: row.notifications === null };
}

/** Grants or revokes admin; `owner` transfers ownership (the old owner becomes an admin). */
export async function setRole(deps: Deps, me: string, channelId: string, userId: string, role: MemberRole) {
  const { db } = deps;
  const access = await loadChannel(db, channelId, me);
  refuseDm(access);
  requireRoleManager(access, "change roles");
  const target = await q.findUserInChannel(db, access.channel.id, userId);
  if (!target?.role || target.joinedAt === null) throw notAMember(userId);
  const member = memberJson({ userId, displayName: target.displayName, role, joinedAt: target.joinedAt });
  if (target.role === role) return member;
  // An admin of an ownerless channel may manage roles, but never crown themselves (or anyone): an
  // owner can delete the channel. Only the operator assigns one (assignOwner).
  if (role === "owner" && !access.channel.ownerId) throw new ApiError("CHAT_NOT_ADMIN", "This channel has no owner: only the admin API assigns one");
  if (role === "owner") {
    if (!(await q.transferOwnership(db, access.channel.id, access.channel.ownerId, userId))) throw notAMember(userId);
    // One event for the whole transfer: the channel's new owner_id (clients refetch roles).
    await publish(deps, access.channel.id, "channel_update", channelJson({ ...access.channel, ownerId: userId }));
  } else {
    if (target.role === "owner") {
      throw new ApiError("CHAT_CANNOT_REMOVE_OWNER", "The owner keeps their role until ownership is transferred");
    }
    await q.setRole(db, access.channel.id, userId, role);
    await publish(deps, access.channel.id, "member_update", member);
  }
  return member;
}

/** Leave (`targetId` = me) or remove someone: admins remove members, only the owner removes admins. */
export async function removeMember(deps: Deps, me: string, channelId: string, targetId: string) {
  const { db } = deps;
  const access = await loadChannel(db, channelId, me);
  refuseDm(access);
  const membership = requireMember(access);
  if (targetId !== me) requireChannelAdmin(access, "remove members");
  const target = await q.findUserInChannel(db, access.channel.id, targetId);
  if (!target?.role) throw notAMember(targetId);
  if (target.role === "owner") throw new ApiError("CHAT_CANNOT_REMOVE_OWNER", "The owner cannot be removed");
  if (targetId !== me && isAdminRole(target.role) && access.channel.ownerId && membership.role !== "owner") {
    throw new ApiError("CHAT_NOT_ADMIN", "Only the owner can remove admins");
  }
  // Of identical removals exactly one removes (they run one at a time in the room); the others find no member.
  if (!(await q.removeMember(db, access.channel.id, targetId))) throw notAMember(targetId);
  await announceRemoval(deps, access.channel.id, targetId);
}

/**
 * The operator (admin API) makes a member the owner, in a channel with or without one (the previous
 * owner becomes an admin). Runs in the channel's room like every rights change.
 */
export async function assignOwner(deps: Deps, channelId: string, userId: string) {
  const { db } = deps;
  const found = await findChannelWithMembership(db, channelId, userId);
  if (!found) throw channelNotFound();
  const access = found;
  refuseDm(access);
  const target = await q.findUserInChannel(db, access.channel.id, userId);
  if (!target?.role || target.joinedAt === null) throw notAMember(userId);
  const member = memberJson({ userId, displayName: target.displayName, role: "owner", joinedAt: target.joinedAt });
  if (target.role === "owner") return member;
  if (!(await q.transferOwnership(db, access.channel.id, access.channel.ownerId, userId))) throw notAMember(userId);
  await publish(deps, access.channel.id, "channel_update", channelJson({ ...access.channel, ownerId: userId }));
  return member;
}
