/**
 * Per-channel bans, mutes and slow mode (DESIGN §15), callable from any surface. Each is a rights
 * change: it runs in the channel's room, alone (src/room/changes.ts), so a send is decided either
 * before it or after it, and the room forgets every remembered posting verdict once it is done.
 */
import { and, eq, sql } from "drizzle-orm";
import { channelMembers, channels } from "../../db/directory";
import type { ChannelBanRow, ChannelMuteRow } from "../../db/moderation";
import type { Deps } from "../../env";
import { ApiError, userNotFound } from "../../platform/errors";
import { seconds } from "../../platform/schemas";
import { announceRemoval } from "../../realtime/notify";
import { type ChannelAccess, isAdminRole, loadChannel, refuseDm, requireChannelAdmin } from "../channels/access";
import { findChannelWithMembership } from "../channels/channels.queries";
import { findUserInChannel } from "../members/members.queries";
import { appendAudit } from "./audit";
import * as q from "./moderation.queries";

export const banJson = (b: ChannelBanRow) => ({
  channel_id: b.channelId,
  user_id: b.userId,
  banned_by: b.bannedBy,
  reason: b.reason,
  created_at: seconds(b.createdAt),
  expires_at: b.expiresAt === null ? null : Math.ceil(b.expiresAt / 1000),
});

export const muteJson = (m: ChannelMuteRow) => ({ channel_id: m.channelId, user_id: m.userId, muted_by: m.mutedBy, expires_at: Math.ceil(m.expiresAt / 1000) });

/**
 * Who may ban or mute `targetId` here: owner and admins act on members, only the owner on admins
 * (in a channel without owner, admins on admins, as removals do); nobody on the owner or on themselves.
 * `actor` "admin" is the app's moderator (the admin API, or a report resolved there): no channel role needed.
 */
async function moderatable(deps: Deps, actor: string, channelId: string, targetId: string, verb: "ban" | "mute") {
  const { db } = deps;
  const access = actor === "admin" ? await loadAsApp(deps, channelId) : await loadChannel(db, channelId, actor);
  refuseDm(access);
  const mine = actor === "admin" ? null : requireChannelAdmin(access, `${verb} members`);
  if (targetId === actor) throw new ApiError("VALIDATION_FAILED", `You cannot ${verb} yourself`, [{ in: "json", path: "user_id", code: "custom", message: `not yourself` }]);
  const target = await findUserInChannel(db, access.channel.id, targetId);
  if (!target) throw userNotFound(targetId);
  if (target.role === "owner") throw new ApiError("CHAT_CANNOT_REMOVE_OWNER", `The owner cannot be ${verb === "ban" ? "banned" : "muted"}`);
  if (mine && target.role && isAdminRole(target.role) && access.channel.ownerId && mine.role !== "owner") {
    throw new ApiError("CHAT_NOT_ADMIN", `Only the owner can ${verb} admins`);
  }
  return { access, target };
}

/** The channel as the app's moderator sees it: any channel that exists (no membership). */
async function loadAsApp(deps: Deps, channelId: string): Promise<ChannelAccess> {
  const found = await findChannelWithMembership(deps.db, channelId, "admin");
  if (!found) throw new ApiError("CHAT_CHANNEL_NOT_FOUND", "Channel not found");
  return found;
}

/** Bans (201, `created`) or answers the ban in force (200). The target leaves the channel: `member_remove` with reason "banned", sockets closed 4003. */
export async function banUser(deps: Deps, actor: string, channelId: string, targetId: string, reason: string | null, durationS: number | null) {
  const { db } = deps;
  const { access, target } = await moderatable(deps, actor, channelId, targetId, "ban");
  const id = access.channel.id;
  const now = Date.now();
  const existing = await q.findBan(db, id, targetId);
  if (existing && q.inForce(existing.expiresAt, now)) return { ban: banJson(existing), created: false };
  const row = { channelId: id, userId: targetId, bannedBy: actor, reason, createdAt: now, expiresAt: durationS === null ? null : now + durationS * 1000 };
  const [, , removed] = await db.batch([
    q.upsertBan(db, row),
    appendAudit(db, { actor, action: "ban", targetUserId: targetId, channelId: id, reason, details: { duration_s: durationS, expires_at: row.expiresAt === null ? null : Math.ceil(row.expiresAt / 1000) } }, now),
    db.delete(channelMembers).where(and(eq(channelMembers.channelId, id), eq(channelMembers.userId, targetId))).returning({ userId: channelMembers.userId }),
    db
      .update(channels)
      .set({ memberCount: sql`${channels.memberCount} - changes()` })
      .where(eq(channels.id, id)),
  ]);
  if (target.role && removed.length) await announceRemoval(deps, id, targetId, "banned");
  return { ban: banJson({ ...row, reason: reason ?? null }), created: true };
}

export async function unbanUser(deps: Deps, actor: string, channelId: string, targetId: string) {
  const { db } = deps;
  const access = actor === "admin" ? await loadAsApp(deps, channelId) : await loadChannel(db, channelId, actor);
  refuseDm(access);
  if (actor !== "admin") requireChannelAdmin(access, "lift bans");
  const existing = await q.findBan(db, access.channel.id, targetId);
  if (!existing || !q.inForce(existing.expiresAt)) throw new ApiError("CHAT_BAN_NOT_FOUND", `User ${targetId} is not banned from this channel`);
  await db.batch([q.deleteBan(db, access.channel.id, targetId), appendAudit(db, { actor, action: "unban", targetUserId: targetId, channelId: access.channel.id })]);
}

/** Mutes for `durationS` (201) or answers the mute in force (200). The member keeps reading; sends, reactions and typing are 403 CHAT_MUTED. */
export async function muteUser(deps: Deps, actor: string, channelId: string, targetId: string, durationS: number) {
  const { db } = deps;
  const { access, target } = await moderatable(deps, actor, channelId, targetId, "mute");
  const id = access.channel.id;
  // A publisher posts without membership (the integration API), so it can be muted all the same.
  if (!target.role && !targetId.startsWith("pub_")) throw new ApiError("CHAT_USER_NOT_FOUND", `User ${targetId} is not a member of this channel`);
  const now = Date.now();
  const existing = await q.findMute(db, id, targetId);
  if (existing && q.inForce(existing.expiresAt, now)) return { mute: muteJson(existing), created: false };
  const row = { channelId: id, userId: targetId, mutedBy: actor, createdAt: now, expiresAt: now + durationS * 1000 };
  await db.batch([q.upsertMute(db, row), appendAudit(db, { actor, action: "mute", targetUserId: targetId, channelId: id, details: { duration_s: durationS, expires_at: Math.ceil(row.expiresAt / 1000) } }, now)]);
  return { mute: muteJson(row), created: true };
}

export async function unmuteUser(deps: Deps, actor: string, channelId: string, targetId: string) {
  const { db } = deps;
  const access = actor === "admin" ? await loadAsApp(deps, channelId) : await loadChannel(db, channelId, actor);
  refuseDm(access);
  if (actor !== "admin") requireChannelAdmin(access, "lift mutes");
  const existing = await q.findMute(db, access.channel.id, targetId);
  if (!existing || !q.inForce(existing.expiresAt)) throw new ApiError("CHAT_MUTE_NOT_FOUND", `User ${targetId} is not muted in this channel`);
  await db.batch([q.deleteMute(db, access.channel.id, targetId), appendAudit(db, { actor, action: "unmute", targetUserId: targetId, channelId: access.channel.id })]);
}

/** Bans in force, for the channel's moderators. */
export async function listBans(deps: Deps, me: string, channelId: string) {
  const access = await moderatorsOnly(deps, me, channelId, "list bans");
  return (await q.listBans(deps.db, access.channel.id, Date.now())).map(banJson);
}

/** Mutes in force, for the channel's moderators. */
export async function listMutes(deps: Deps, me: string, channelId: string) {
  const access = await moderatorsOnly(deps, me, channelId, "list mutes");
  return (await q.listMutes(deps.db, access.channel.id, Date.now())).map(muteJson);
}

async function moderatorsOnly(deps: Deps, me: string, channelId: string, action: string) {
  const access = await loadChannel(deps.db, channelId, me);
  refuseDm(access);
  requireChannelAdmin(access, action);
  return access;
}

/** Slow mode is a channel setting: `channel_update` tells every member, and the audit log records it. */
export async function setSlowMode(deps: Deps, me: string, access: ChannelAccess, slowModeS: number) {
  await deps.db.batch([
    q.setSlowMode(deps.db, access.channel.id, slowModeS),
    appendAudit(deps.db, { actor: me, action: "slow_mode", channelId: access.channel.id, details: { from: access.channel.slowModeS, to: slowModeS } }),
  ]);
  return { ...access.channel, slowModeS };
}
