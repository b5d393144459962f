/**
 * The directory's `user_sockets` table: who holds a user socket (so a message is handed only to
 * their hubs) and who is online (presence). Raw SQL: the join order matters here and SQLite's
 * `CROSS JOIN` is how it is fixed; both the Worker (metered binding) and the UserHub call these.
 */
import { and, eq, gt, lte } from "drizzle-orm";
import { channelMembers, channels, userSockets } from "../db/directory";
import type { Db } from "../env";

/** `hub_active_until` while a user socket is open: far future (the hub sets now + window when the last closes). */
export const HUB_OPEN = 8_640_000_000_000_000;

/**
 * Above this many members a channel's connected members are found from the connected users
 * (probing each one's membership by primary key) rather than from the members.
 */
export const LARGE_CHANNEL = 500;

/** Presence applies to DMs and to groups of at most this many members. */
export const PRESENCE_MAX_MEMBERS = 100;

/** At most this many channels are told when a user goes online or offline. */
export const PRESENCE_MAX_CHANNELS = 1000;

/**
 * Members of `channelId` whose hub must be called now: a user socket open, or closed less than the
 * window ago. ONE query whatever the size: a small channel walks its members and probes each one's
 * `user_sockets` row; a large one walks the connected users (index on `hub_active_until`) and probes
 * each one's membership by primary key. `member_count` picks the branch; the other finds no channel row.
 * Drizzle writes `crossJoin` as SQLite's CROSS JOIN, which keeps the order as written.
 */
export function connectedMembersQuery(db: Db, channelId: string, now: number) {
  const live = and(eq(channels.id, channelId), eq(channelMembers.channelId, channels.id), eq(userSockets.userId, channelMembers.userId), gt(userSockets.hubActiveUntil, now));
  const small = db
    .select({ id: channelMembers.userId })
    .from(channels)
    .crossJoin(channelMembers)
    .crossJoin(userSockets)
    .where(and(live, lte(channels.memberCount, LARGE_CHANNEL)));
  const large = db
    .select({ id: userSockets.userId })
    .from(channels)
    .crossJoin(userSockets)
    .crossJoin(channelMembers)
    .where(and(live, gt(channels.memberCount, LARGE_CHANNEL)));
  return small.unionAll(large);
}

/** `connectedMembersQuery` on its own (a send reads it in its directory batch instead). */
export async function connectedMembers(db: Db, channelId: string, now: number): Promise<string[]> {
  const rows = await connectedMembersQuery(db, channelId, now);
  return rows.map((r) => r.id);
}

/** The members of a DM (two rows) with their names and whether their hub is active. */
export async function dmMembers(d1: D1Database, channelId: string, now: number) {
  const { results } = await d1
    .prepare(
      `SELECT m.user_id AS id, u.display_name AS name, coalesce(s.hub_active_until, 0) > ?2 AS active
         FROM channel_members m JOIN users u ON u.id = m.user_id LEFT JOIN user_sockets s ON s.user_id = m.user_id
        WHERE m.channel_id = ?1`,
    )
    .bind(channelId, now)
    .all<{ id: string; name: string; active: number }>();
  return results;
}

/** Which of `userIds` (any number: one JSON parameter) have an active hub. */
export async function connectedUsers(d1: D1Database, userIds: string[], now: number): Promise<string[]> {
  if (userIds.length === 0) return [];
  const { results } = await d1
    .prepare("SELECT user_id AS id FROM user_sockets WHERE user_id IN (SELECT value FROM json_each(?1)) AND hub_active_until > ?2")
    .bind(JSON.stringify(userIds), now)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/** Members of a channel (≤ 100: callers check) who are online now. */
export async function onlineMembers(d1: D1Database, channelId: string): Promise<string[]> {
  const { results } = await d1
    .prepare("SELECT m.user_id AS id FROM channel_members m CROSS JOIN user_sockets s WHERE m.channel_id = ?1 AND s.user_id = m.user_id AND s.online = 1")
    .bind(channelId)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/** The hub's state as the rest of the system reads it; written only on transitions. */
export async function writeUserSockets(d1: D1Database, userId: string, hubActiveUntil: number, online: boolean, now: number) {
  await d1
    .prepare(
      `INSERT INTO user_sockets (user_id, hub_active_until, online, updated_at) VALUES (?1, ?2, ?3, ?4)
       ON CONFLICT(user_id) DO UPDATE SET hub_active_until = excluded.hub_active_until, online = excluded.online, updated_at = excluded.updated_at`,
    )
    .bind(userId, hubActiveUntil, online ? 1 : 0, now)
    .run();
}

export async function readHubActiveUntil(d1: D1Database, userId: string): Promise<number> {
  const row = await d1.prepare("SELECT hub_active_until AS until FROM user_sockets WHERE user_id = ?1").bind(userId).first<{ until: number }>();
  return row?.until ?? 0;
}

/** The user's DMs and groups small enough for presence (bounded), whose rooms hear of their changes. */
export async function presenceChannels(d1: D1Database, userId: string): Promise<string[]> {
  const { results } = await d1
    .prepare(
      `SELECT c.id FROM channel_members m CROSS JOIN channels c
        WHERE m.user_id = ?1 AND c.id = m.channel_id AND c.deleted_at IS NULL
          AND (c.type = 'dm' OR (c.type = 'group' AND c.member_count <= ${PRESENCE_MAX_MEMBERS}))
        LIMIT ${PRESENCE_MAX_CHANNELS}`,
    )
    .bind(userId)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}
