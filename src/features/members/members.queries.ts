import { and, asc, eq, gt, or, sql } from "drizzle-orm";
import type { Db } from "../../env";
import { type MemberRole, channelMembers, channels, users } from "../../db/directory";
import { channelPosition } from "../channels/channels.queries";

const memberColumns = {
  userId: channelMembers.userId,
  displayName: users.displayName,
  role: channelMembers.role,
  hidden: channelMembers.hidden,
  joinedAt: channelMembers.joinedAt,
};

export type MemberWithName = { userId: string; displayName: string; role: MemberRole; hidden: boolean; joinedAt: number };

/** A position in a member list: join time, then user id (keyset paging). */
export interface MemberCursor {
  joinedAt: number;
  userId: string;
}

/** Members in join order, `limit` of them after `after` (which need not still be a member). */
export async function listMembers(db: Db, channelId: string, limit: number, after?: MemberCursor): Promise<MemberWithName[]> {
  const later = after
    ? or(
        gt(channelMembers.joinedAt, after.joinedAt),
        and(eq(channelMembers.joinedAt, after.joinedAt), gt(channelMembers.userId, after.userId)),
      )
    : undefined;
  return db
    .select(memberColumns)
    .from(channelMembers)
    .innerJoin(users, eq(users.id, channelMembers.userId))
    .where(and(eq(channelMembers.channelId, channelId), later))
    .orderBy(asc(channelMembers.joinedAt), asc(channelMembers.userId))
    .limit(limit);
}

/** A user and, when they are in the channel, their membership: one read for "who is this, are they in?" */
export async function findUserInChannel(db: Db, channelId: string, userId: string) {
  return db
    .select({ id: users.id, displayName: users.displayName, role: channelMembers.role, joinedAt: channelMembers.joinedAt })
    .from(users)
    .leftJoin(channelMembers, and(eq(channelMembers.channelId, channelId), eq(channelMembers.userId, users.id)))
    .where(eq(users.id, userId))
    .get();
}

/**
 * Adds a membership and counts it, atomically. A duplicate fails the whole batch (UNIQUE).
 * Newcomers start with nothing unread: their read position is the channel's current one — the
 * room's (`roomPosition`: positions it handed out that the directory queue has not brought yet) or
 * the directory's, whichever is higher.
 */
export async function addMember(db: Db, channelId: string, userId: string, role: MemberRole, now = Date.now(), roomPosition = 0) {
  await db.batch([
    db.insert(channelMembers).values({ channelId, userId, role, joinedAt: now, readPosition: sql`max(${channelPosition(channelId)}, ${roomPosition})` }),
    db
      .update(channels)
      .set({ memberCount: sql`${channels.memberCount} + 1` })
      .where(eq(channels.id, channelId)),
  ]);
  return now;
}

/** Removes a membership; the count only moves when a row was really deleted. */
export async function removeMember(db: Db, channelId: string, userId: string) {
  const [deleted] = await db.batch([
    db
      .delete(channelMembers)
      .where(and(eq(channelMembers.channelId, channelId), eq(channelMembers.userId, userId)))
      .returning({ userId: channelMembers.userId }),
    // changes() is the row count of the DELETE just before it in this batch (same connection).
    db
      .update(channels)
      .set({ memberCount: sql`${channels.memberCount} - changes()` })
      .where(eq(channels.id, channelId)),
  ]);
  return deleted.length > 0;
}

export async function setRole(db: Db, channelId: string, userId: string, role: Exclude<MemberRole, "owner">) {
  await db
    .update(channelMembers)
    .set({ role })
    .where(and(eq(channelMembers.channelId, channelId), eq(channelMembers.userId, userId)));
}

/**
 * Makes `toId` the owner and the previous owner an admin, atomically, and only while `toId` is still
 * a member: every statement is conditional on it, so a member who just left is never made owner.
 * True when the transfer happened.
 */
export async function transferOwnership(db: Db, channelId: string, fromId: string | null, toId: string) {
  const member = (userId: string) => and(eq(channelMembers.channelId, channelId), eq(channelMembers.userId, userId));
  const targetStays = sql`exists (select 1 from ${channelMembers} where ${channelMembers.channelId} = ${channelId} and ${channelMembers.userId} = ${toId})`;
  const promote = db.update(channelMembers).set({ role: "owner" }).where(member(toId)).returning({ userId: channelMembers.userId });
  const setOwner = db.update(channels).set({ ownerId: toId }).where(and(eq(channels.id, channelId), targetStays));
  const demote = fromId ? [db.update(channelMembers).set({ role: "admin" }).where(and(member(fromId), targetStays))] : [];
  const results = await db.batch([...demote, promote, setOwner] as [typeof promote, typeof setOwner]);
  const promoted = results[demote.length] as { userId: string }[];
  return promoted.length > 0;
}

/** Unhides the channel for one member; writes nothing when it was not hidden. */
export async function unhide(db: Db, channelId: string, userId: string) {
  await db
    .update(channelMembers)
    .set({ hidden: false })
    .where(and(eq(channelMembers.channelId, channelId), eq(channelMembers.userId, userId), eq(channelMembers.hidden, true)));
}

/** Your own settings of a membership (hidden, push level); what is not given stays. The row after, or undefined. */
/** The member's own settings (hidden, notification level), or undefined when not a member. */
export async function getMySettings(db: Db, channelId: string, userId: string) {
  return db
    .select({ hidden: channelMembers.hidden, notifications: channelMembers.notifications })
    .from(channelMembers)
    .where(and(eq(channelMembers.channelId, channelId), eq(channelMembers.userId, userId)))
    .get();
}

export async function setMySettings(db: Db, channelId: string, userId: string, patch: { hidden?: boolean; notifications?: "all" | "mentions" | "none" | null }) {
  return db
    .update(channelMembers)
    .set(patch)
    .where(and(eq(channelMembers.channelId, channelId), eq(channelMembers.userId, userId)))
    .returning({ hidden: channelMembers.hidden, notifications: channelMembers.notifications })
    .get();
}

/** Moves the member's read cursor (any direction): unread counts follow the position. */
/** `stamp`: the channel room's stamp of this move (a queued send's cursor update never goes below it). */
export async function setReadCursor(db: Db, channelId: string, userId: string, messageId: string, position: number, ownAfter: number, now: number, stamp: number) {
  await db
    .update(channelMembers)
    .set({ lastReadMessageId: messageId, readPosition: position, ownAfter, readUpdatedAt: now, cursorStamp: sql`max(${channelMembers.cursorStamp}, ${stamp})` })
    .where(and(eq(channelMembers.channelId, channelId), eq(channelMembers.userId, userId)));
}
