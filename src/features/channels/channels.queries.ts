import { and, desc, eq, getTableColumns, inArray, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db } from "../../env";
import { type ChannelRow, type MemberRole, channelMembers, channels, deletedPositions, userBlocks, users } from "../../db/directory";
import { countChannelOn } from "./placement";
import { rememberShard } from "./shard-memo";
import { newId } from "../../platform/ids";
import { mentionCountSql } from "../mentions/mentions.queries";
import { banUntilSql, muteUntilSql, shadowUntilSql, untilOf } from "../moderation/moderation.queries";

/** The channel's current position (messages ever sent there), read inside the statement that uses it. */
export const channelPosition = (channelId: string) => sql`(select ${channels.lastPosition} from ${channels} where ${channels.id} = ${channelId})`;

/**
 * Unread messages for the member row in scope, from the directory alone: positions after their
 * cursor, less their own (counted when they moved the cursor back) and others' deleted ones there,
 * read through the (channel, position) key of the few deleted rows. History is never read.
 */
// Never below 0: a cursor set on a message the channel's room has not flushed yet is ahead of the
// directory's last position until the flush (src/room/pending-changes.ts).
export const unreadCountSql = sql<number>`max(0, ${channels.lastPosition} - ${channelMembers.readPosition} - ${channelMembers.ownAfter}
  - (select count(*) from ${deletedPositions} d where d.channel_id = ${channels.id} and d.position > ${channelMembers.readPosition} and d.sender_id != ${channelMembers.userId}))`;

/** The caller's side of a channel: role and per-member settings, or null when not a member. */
export interface Membership {
  role: "owner" | "admin" | "member";
  hidden: boolean;
  joinedAt: number;
  readPosition: number;
}

/**
 * The caller's standing in the channel (DESIGN §15), read with the channel: until when they are banned
 * or muted (null: until lifted), absent when not. Expiry is compared with the clock where it is used,
 * so a remembered verdict stops refusing the moment a timed ban or mute ends.
 */
export interface Standing {
  bannedUntil?: number | null;
  mutedUntil?: number | null;
  /** An app-wide shadow ban (its end; null: until lifted). Set even once expired, while the row lasts: their own history still shows their shadow messages. */
  shadowUntil?: number | null;
}

/**
 * The channel and the caller's membership, as one query (a batch item: a send reads it in the batch
 * that takes its position). `blocked`: in a DM, whether either side blocked the other.
 */
export function channelWithMembershipQuery(db: Db, channelId: string, userId: string) {
  return db
    .select({
      channel: getTableColumns(channels),
      role: channelMembers.role,
      hidden: channelMembers.hidden,
      joinedAt: channelMembers.joinedAt,
      readPosition: channelMembers.readPosition,
      blocked: sql<number>`${dmBlockedSql(userId)}`,
      banUntil: banUntilSql(userId),
      muteUntil: muteUntilSql(userId),
      shadowUntil: shadowUntilSql(userId),
    })
    .from(channels)
    .leftJoin(channelMembers, and(eq(channelMembers.channelId, channels.id), eq(channelMembers.userId, userId)))
    .where(and(eq(channels.id, channelId), isNull(channels.deletedAt)));
}

export type ChannelWithMembershipRow = Awaited<ReturnType<typeof channelWithMembershipQuery>>[number];

/** The query's row as the access rules take it. */
export function toAccess(row: ChannelWithMembershipRow | undefined) {
  if (!row) return undefined;
  rememberShard(row.channel.id, row.channel.shard);
  const membership: Membership | null =
    row.role === null ? null : { role: row.role, hidden: row.hidden!, joinedAt: row.joinedAt!, readPosition: row.readPosition! };
  const standing: Standing = { bannedUntil: untilOf(row.banUntil), mutedUntil: untilOf(row.muteUntil), shadowUntil: untilOf(row.shadowUntil) };
  return { channel: row.channel, membership, blocked: Boolean(row.blocked), standing };
}

/** The channel and the caller's membership, in one read. Undefined when the channel does not exist. */
export async function findChannelWithMembership(db: Db, channelId: string, userId: string) {
  return toAccess(await channelWithMembershipQuery(db, channelId, userId).get());
}

/**
 * For the `channels` row in scope: 1 when it is a DM and either side blocked the other (by primary
 * key, both directions), else 0.
 */
export const dmBlockedSql = (userId: string) =>
  sql`(case when ${channels.type} = 'dm' then exists (select 1 from ${userBlocks} b where
    (b.blocker_id = ${userId} and b.blocked_id = ${dmPartnerSql(userId)}) or (b.blocker_id = ${dmPartnerSql(userId)} and b.blocked_id = ${userId})) else 0 end)`;

const otherUser = alias(users, "other_user");

/**
 * The other member of a DM, from its pair key "<low id> <high id>" (user ids have no spaces), so the
 * channel list never joins members: a 10,000-member room costs one row, not 10,000.
 */
const dmPartnerSql = (userId: string) =>
  sql`case when ${channels.type} = 'dm' then (case when substr(${channels.dmKey}, 1, ${userId.length + 1}) = ${userId + " "}
    then substr(${channels.dmKey}, ${userId.length + 2}) else substr(${channels.dmKey}, 1, instr(${channels.dmKey}, ' ') - 1) end) end`;

/** A position in the channel list: latest activity, then id (keyset paging, newest first). */
export interface ChannelCursor {
  lastActivityAt: number;
  id: string;
}

/**
 * A page of the user's channels, newest activity first, with the DM partner's id and name. The page
 * is chosen first (memberships and channels only), so unread and mention counts are computed for its
 * rows alone, in this one query.
 */
export async function listChannelsForUser(db: Db, userId: string, includeHidden: boolean, limit: number, before?: ChannelCursor) {
  const visible = includeHidden ? undefined : and(eq(channelMembers.hidden, false), eq(channels.archived, false));
  const older = before
    ? or(lt(channels.lastActivityAt, before.lastActivityAt), and(eq(channels.lastActivityAt, before.lastActivityAt), lt(channels.id, before.id)))
    : undefined;
  const pageIds = db
    .select({ id: channels.id })
    .from(channelMembers)
    .innerJoin(channels, eq(channels.id, channelMembers.channelId))
    .where(and(eq(channelMembers.userId, userId), visible, older))
    .orderBy(desc(channels.lastActivityAt), desc(channels.id))
    .limit(limit);
  return db
    .select({
      channel: getTableColumns(channels),
      role: channelMembers.role,
      hidden: channelMembers.hidden,
      lastReadMessageId: channelMembers.lastReadMessageId,
      unreadCount: unreadCountSql,
      mentionCount: mentionCountSql,
      // Your mute here (DESIGN §15), so a client can say why it cannot post without reading each channel.
      muteUntil: muteUntilSql(userId),
      // Aliased: the metered D1 client reads rows by column name, and `id` is the channel's.
      otherUserId: sql<string | null>`${otherUser.id}`.as("other_user_id"),
      otherUserName: sql<string | null>`${otherUser.displayName}`.as("other_user_name"),
    })
    .from(channelMembers)
    .innerJoin(channels, eq(channels.id, channelMembers.channelId))
    .leftJoin(otherUser, eq(otherUser.id, dmPartnerSql(userId)))
    .where(and(eq(channelMembers.userId, userId), inArray(channelMembers.channelId, pageIds)))
    .orderBy(desc(channels.lastActivityAt), desc(channels.id));
}

const chunk = <T>(items: T[], size: number) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * Creates a group or room with its first members, atomically. The owner (if any) is "owner",
 * `adminIds` are admins, `memberIds` members; an id listed twice keeps its highest role.
 */
export async function createGroupOrRoom(
  db: Db,
  input: { type: "group" | "room"; name: string; broadcast: boolean; ownerId: string | null; memberIds: string[]; adminIds?: string[]; shard: string },
) {
  const now = Date.now();
  const roles = new Map<string, MemberRole>();
  for (const id of input.memberIds) roles.set(id, "member");
  for (const id of input.adminIds ?? []) roles.set(id, "admin");
  if (input.ownerId) roles.set(input.ownerId, "owner");
  const channel: ChannelRow = {
    id: newId(now),
    type: input.type,
    name: input.name,
    ownerId: input.ownerId,
    broadcast: input.broadcast,
    archived: false,
    dmKey: null,
    memberCount: roles.size,
    createdAt: now,
    lastActivityAt: now,
    lastPosition: 0,
    lastMessageAt: null,
    appliedStamp: 0,
    deletedAt: null,
    shard: input.shard,
    retentionDays: null,
    slowModeS: 0,
  };
  const members = [...roles].map(([userId, role]) => ({ channelId: channel.id, userId, role, joinedAt: now }));
  // D1 binds at most 100 parameters per statement; Drizzle binds all 8 columns of a membership.
  const inserts = chunk(members, 10).map((rows) => db.insert(channelMembers).values(rows));
  await db.batch([db.insert(channels).values(channel), ...inserts, countChannelOn(db, input.shard)]);
  return channel;
}

export async function updateChannel(
  db: Db,
  channelId: string,
  changes: Partial<Pick<ChannelRow, "name" | "archived" | "broadcast">>,
) {
  return db.update(channels).set(changes).where(eq(channels.id, channelId)).returning().get();
}

/**
 * Deletes the channel for everyone at once: marked deleted (so it is not found) and its memberships
 * removed; its history is purged later in chunks. Conditional: of racing deletes exactly one is true.
 */
export async function deleteChannel(db: Db, channelId: string, now: number) {
  const [marked] = await db.batch([
    db.update(channels).set({ deletedAt: now }).where(and(eq(channels.id, channelId), isNull(channels.deletedAt))).returning({ id: channels.id }),
    db.delete(channelMembers).where(eq(channelMembers.channelId, channelId)),
  ]);
  return marked.length > 0;
}

/** The channel row of a deleted channel, once its history is gone. */
export async function dropDeletedChannel(db: Db, channelId: string) {
  await db.delete(channels).where(and(eq(channels.id, channelId), isNotNull(channels.deletedAt)));
}

/** The history shard of a deleted channel still being purged. */
export async function deletedChannelShard(db: Db, channelId: string) {
  const row = await db.select({ shard: channels.shard }).from(channels).where(and(eq(channels.id, channelId), isNotNull(channels.deletedAt))).get();
  return row?.shard;
}

/** Deleted channels whose purge should have finished by now. */
export async function findDeletedChannels(db: Db, deletedBefore: number, limit: number) {
  const rows = await db.select({ id: channels.id }).from(channels).where(lt(channels.deletedAt, deletedBefore)).limit(limit);
  return rows.map((r) => r.id);
}

/** Public rooms for discovery, newest first, with whether the caller has joined each. */
export async function listRooms(db: Db, userId: string, limit: number, before?: string) {
  return db
    .select({ channel: getTableColumns(channels), isMember: sql<number>`${channelMembers.userId} is not null` })
    .from(channels)
    .leftJoin(channelMembers, and(eq(channelMembers.channelId, channels.id), eq(channelMembers.userId, userId)))
    .where(and(eq(channels.type, "room"), eq(channels.archived, false), isNull(channels.deletedAt), before ? lt(channels.id, before) : undefined))
    .orderBy(desc(channels.id))
    .limit(limit);
}
