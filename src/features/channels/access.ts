/** Who may see, post in and manage a channel: the rules every feature applies before acting. */
import type { ChannelRow } from "../../db/schema";
import type { Db } from "../../env";
import { ApiError, channelNotFound, userNotFound } from "../../platform/errors";
import { isId } from "../../platform/ids";
import { isBlockedEitherWay } from "../blocks/blocks.queries";
import { findExistingUserIds } from "../users/users.queries";
import { findChannelWithMembership, type Membership, type Standing } from "./channels.queries";
import { inForce } from "../moderation/moderation.queries";
import { dmPartnerId } from "./dm.queries";

export interface ChannelAccess {
  channel: ChannelRow;
  membership: Membership | null;
  /** In a DM: whether either side blocked the other, when read with the channel (else looked up when needed). */
  blocked?: boolean;
  /** The caller's bans and mutes here (DESIGN §15), read with the channel. */
  standing?: Standing;
}

const untilText = (until: number | null) => (until === null ? "until a moderator lifts it" : `until ${new Date(until).toISOString()}`);

/** A ban in force refuses joining, being added and posting (403 CHAT_BANNED), before any other rule. */
export function refuseBanned(standing: Standing | undefined, now = Date.now()) {
  const until = standing?.bannedUntil;
  if (inForce(until, now)) throw new ApiError("CHAT_BANNED", `You are banned from this channel ${untilText(until!)}`, { expires_at: until === null ? null : Math.ceil(until! / 1000) });
}

/** A mute in force refuses sends, reactions, edits, pins and typing (403 CHAT_MUTED); reading, deleting own messages and read cursors stay open. */
export function refuseMuted(standing: Standing | undefined, now = Date.now()) {
  const until = standing?.mutedUntil;
  if (inForce(until, now)) throw new ApiError("CHAT_MUTED", `You are muted in this channel ${untilText(until!)}`, { muted_until: Math.ceil(until! / 1000) });
}

/** The caller's mute end in unix seconds while it is in force (the channel object's `muted_until`), else null. */
export const mutedUntilSeconds = (standing: Standing | undefined, now = Date.now()) => (inForce(standing?.mutedUntil, now) ? Math.ceil(standing!.mutedUntil! / 1000) : null);

/**
 * The channel as `userId` may see it. Groups and DMs do not exist for non-members (404,
 * so their existence is not leaked); rooms are public and visible to anyone signed in.
 */
export async function loadChannel(db: Db, channelId: string, userId: string): Promise<ChannelAccess> {
  if (!isId(channelId)) throw channelNotFound();
  return visibleChannel(await findChannelWithMembership(db, channelId, userId));
}

/** The actor id of the app's moderators (the admin API): never a user's (auth.ts reserves it). */
export const APP_MODERATOR = "admin";

/** The channel as the app's moderator sees it: any channel that exists, without membership. */
export async function loadAsAppModerator(db: Db, channelId: string): Promise<ChannelAccess> {
  if (!isId(channelId)) throw channelNotFound();
  const found = await findChannelWithMembership(db, channelId, APP_MODERATOR);
  if (!found) throw channelNotFound();
  return found;
}

export function requireMember(access: ChannelAccess): Membership {
  if (!access.membership) throw new ApiError("CHAT_NOT_MEMBER", "You are not a member of this channel");
  return access.membership;
}

/** DMs have no settings, roles or member changes. */
export function refuseDm(access: ChannelAccess) {
  if (access.channel.type === "dm") throw new ApiError("CHAT_CANNOT_MODIFY_DM", "DM channels cannot be modified");
}

export const isAdminRole = (role: Membership["role"]) => role === "owner" || role === "admin";

/** Owner or admin; plain members get CHAT_NOT_ADMIN. */
export function requireChannelAdmin(access: ChannelAccess, action: string): Membership {
  const membership = requireMember(access);
  if (!isAdminRole(membership.role)) throw new ApiError("CHAT_NOT_ADMIN", `Only owners and admins can ${action}`);
  return membership;
}

/** Owner only (role grants, ownership transfer, deleting the channel). */
export function requireOwner(access: ChannelAccess, action: string): Membership {
  const membership = requireMember(access);
  if (membership.role !== "owner") throw new ApiError("CHAT_NOT_ADMIN", `Only the owner can ${action}`);
  return membership;
}

/**
 * May `userId` post (send, edit, react) here? Not banned; members only; not in archived channels; in
 * broadcast channels only owner/admins; not muted; not in a DM where either side blocked the other.
 */
export async function requirePoster(db: Db, access: ChannelAccess, userId: string): Promise<Membership> {
  // Rules that need no read first, so a refused poster costs no block lookup.
  checkPoster(access, false);
  if (access.blocked !== undefined) return checkPoster(access, access.blocked);
  const partner = access.channel.type === "dm" ? dmPartnerId(access.channel, userId) : undefined;
  return checkPoster(access, partner !== undefined && (await isBlockedEitherWay(db, userId, partner)));
}

/** `requirePoster` on an access already read with its DM block flag (no query). */
export function checkPoster(access: ChannelAccess, blocked: boolean): Membership {
  refuseBanned(access.standing);
  const membership = requireMember(access);
  const { channel } = access;
  if (channel.archived) throw new ApiError("CHAT_CHANNEL_ARCHIVED", "This channel is archived");
  if (channel.broadcast && !isAdminRole(membership.role)) {
    throw new ApiError("CHAT_BROADCAST_ONLY", "Only owners and admins can post in a broadcast channel");
  }
  refuseMuted(access.standing);
  if (blocked) throw new ApiError("CHAT_DM_BLOCKED_USER", "One of you has blocked the other");
  return membership;
}

/** `loadChannel` on a row already read (the channel, or undefined when it does not exist). */
export function visibleChannel<T extends ChannelAccess>(found: T | undefined): T {
  if (!found) throw channelNotFound();
  if (!found.membership && found.channel.type !== "room") throw channelNotFound();
  return found;
}

/** Every id (at most 100) names a known user; the first that does not is 404 CHAT_USER_NOT_FOUND. */
export async function requireKnownUsers(db: Db, ids: string[]) {
  if (ids.length === 0) return;
  const found = new Set(await findExistingUserIds(db, ids));
  const missing = ids.find((id) => !found.has(id));
  if (missing) throw userNotFound(missing);
}
