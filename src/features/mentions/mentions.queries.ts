/**
 * The directory's mention index (`mentions`: one row per message and mentioned member). Writes are
 * batch items, so a send or edit puts them in the directory batch it makes anyway (no extra round
 * trip); ids travel as one JSON parameter, whatever their number (D1 binds at most 100).
 */
import { type SQL, and, desc, eq, inArray, isNull, lt, ne, sql } from "drizzle-orm";
import { channelMembers, channels, mentions } from "../../db/directory";
import type { Db } from "../../env";

/** At most this many ids in `mentioned_user_ids`. */
export const MAX_MENTIONS = 50;

const inJson = (ids: string[]) => sql`(select value from json_each(${JSON.stringify(ids)}))`;

export interface MentionTarget {
  channelId: string;
  messageId: string;
  senderId: string;
  userIds: string[];
}

/**
 * Indexes a message's mentions of current members other than the sender, in whatever batch the caller
 * makes; its result rows (`{ userId }`) are the mentions kept. Works for any message, with or
 * without a position (replies take none). `when`: written only if this holds (a send's right to post).
 */
export function insertMentions(db: Db, m: MentionTarget, when?: SQL) {
  return db
    .insert(mentions)
    .select(
      db
        .select({ userId: channelMembers.userId, channelId: channelMembers.channelId, messageId: sql<string>`${m.messageId}`.as("message_id") })
        .from(channelMembers)
        .where(and(eq(channelMembers.channelId, m.channelId), inArray(channelMembers.userId, inJson(m.userIds)), ne(channelMembers.userId, m.senderId), when)),
    )
    .onConflictDoNothing()
    .returning({ userId: mentions.userId });
}

/** Removes a message's mention rows through the primary key (the ids are the message's stored ones). */
export function deleteMentions(db: Db, channelId: string, messageId: string, userIds: string[]) {
  return db
    .delete(mentions)
    .where(and(inArray(mentions.userId, inJson(userIds)), eq(mentions.channelId, channelId), eq(mentions.messageId, messageId)));
}

/** Of `userIds`, the channel's current members other than the sender (an edit checks before it writes). */
export async function mentionableMembers(db: Db, channelId: string, senderId: string, userIds: string[]) {
  if (userIds.length === 0) return [];
  const rows = await db
    .select({ userId: channelMembers.userId })
    .from(channelMembers)
    .where(and(eq(channelMembers.channelId, channelId), inArray(channelMembers.userId, inJson(userIds)), ne(channelMembers.userId, senderId)));
  return rows.map((r) => r.userId);
}

/** Keeps `requested` order (duplicates once) for the ids in `kept`: what the message echoes. */
export const keptInOrder = (requested: string[], kept: Iterable<string>) => {
  const keep = new Set(kept);
  return [...new Set(requested)].filter((id) => keep.has(id));
};

/**
 * A page of the messages mentioning `userId` in channels they are a member of now, newest first:
 * walks `mentions_user_message` (user, message) from the cursor, keeping rows whose channel still has
 * them as a member; each with the channel's history shard.
 */
export async function mentionPage(db: Db, userId: string, limit: number, before?: string) {
  return db
    .select({ channelId: mentions.channelId, messageId: mentions.messageId, shard: channels.shard })
    .from(mentions)
    .innerJoin(channelMembers, and(eq(channelMembers.channelId, mentions.channelId), eq(channelMembers.userId, mentions.userId)))
    .innerJoin(channels, eq(channels.id, mentions.channelId))
    .where(and(eq(mentions.userId, userId), before ? lt(mentions.messageId, before) : undefined, isNull(channels.deletedAt)))
    .orderBy(desc(mentions.messageId))
    .limit(limit);
}

/**
 * Unread mentions for the member row in scope (the channel list): its mention rows after the read
 * cursor, through the (user, channel, message) key, so rows read are those mentions alone. Deleted
 * messages lost their rows and the sender never has one, so neither needs a check here.
 */
export const mentionCountSql = sql<number>`(select count(*) from ${mentions} mn where mn.user_id = ${channelMembers.userId}
  and mn.channel_id = ${channels.id} and mn.message_id > coalesce(${channelMembers.lastReadMessageId}, ''))`;
