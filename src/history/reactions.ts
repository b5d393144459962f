import { type SQL, and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { HistoryDb } from "../env";
import { messages, reactionCounts, reactions } from "../db/history";

/** How many user ids a reaction lists; `count` stays exact. */
const USER_IDS_SHOWN = 100;

export interface ReactionSummary {
  emote_asset_id: string;
  count: number;
  user_ids: string[];
}

/**
 * Reactions of many messages in one query, per emote in order of first use: counts from
 * reaction_counts (at most 20 rows a message) and the first 100 users of each emote through an
 * index, so a message with thousands of reactions costs the same as one with a few.
 */
export async function reactionsFor(db: HistoryDb, messageIds: string[]): Promise<Map<string, ReactionSummary[]>> {
  if (messageIds.length === 0) return new Map();
  return groupReactions(await reactionsQuery(db, inArray(reactionCounts.messageId, messageIds)));
}

/** The query of `reactionsFor` for the messages `which` selects (a list, or a subquery: a batch item). */
export function reactionsQuery(db: HistoryDb, which: SQL) {
  return db
    .select({
      messageId: reactionCounts.messageId,
      emote: reactionCounts.emoteAssetId,
      count: reactionCounts.count,
      userIds: sql<string>`(select json_group_array(user_id) from (select r.user_id from ${reactions} r
        where r.message_id = "reaction_counts"."message_id" and r.emote_asset_id = "reaction_counts"."emote_asset_id"
        order by r.created_at, r.user_id limit ${sql.raw(String(USER_IDS_SHOWN))}))`, // a literal: 100 message ids already take every bound parameter D1 allows
    })
    .from(reactionCounts)
    .where(which)
    .orderBy(asc(reactionCounts.firstAt), asc(reactionCounts.emoteAssetId));
}

export type ReactionRow = Awaited<ReturnType<typeof reactionsQuery>>[number];

/** Rows of `reactionsQuery` per message, in their order. */
export function groupReactions(rows: ReactionRow[]): Map<string, ReactionSummary[]> {
  const byMessage = new Map<string, ReactionSummary[]>();
  for (const row of rows) {
    const list = byMessage.get(row.messageId) ?? [];
    list.push({ emote_asset_id: row.emote, count: row.count, user_ids: JSON.parse(row.userIds) as string[] });
    byMessage.set(row.messageId, list);
  }
  return byMessage;
}

/**
 * Adds a reaction in one conditional statement, so racing requests cannot pass the cap: only to a
 * live message, and only while it has fewer than `maxEmotes` distinct emotes or already has this one.
 * "added", or why not; a duplicate (same user, same emote) throws a UNIQUE violation.
 */
export async function addReaction(db: HistoryDb, messageId: string, emoteAssetId: string, userId: string, maxEmotes: number) {
  const now = Date.now();
  const live = and(eq(messages.id, messageId), isNull(messages.deletedAt));
  const underCap = sql`(exists (select 1 from ${reactionCounts} where message_id = ${messageId} and emote_asset_id = ${emoteAssetId})
    or (select count(*) from ${reactionCounts} where message_id = ${messageId}) < ${maxEmotes})`;
  const [inserted] = await db.batch([
    db
      .insert(reactions)
      .select(db.select({ messageId: messages.id, emoteAssetId: sql`${emoteAssetId}`.as("emote_asset_id"), userId: sql`${userId}`.as("user_id"), createdAt: sql`${now}`.as("created_at") }).from(messages).where(and(live, underCap)))
      .returning({ userId: reactions.userId }),
    // changes() is the row count of the insert just before it in this batch (same connection).
    db
      .insert(reactionCounts)
      .select(db.select({ messageId: messages.id, emoteAssetId: sql`${emoteAssetId}`.as("emote_asset_id"), count: sql`1`.as("count"), firstAt: sql`${now}`.as("first_at") }).from(messages).where(and(eq(messages.id, messageId), sql`changes() > 0`)))
      .onConflictDoUpdate({ target: [reactionCounts.messageId, reactionCounts.emoteAssetId], set: { count: sql`${reactionCounts.count} + 1` } }),
  ]);
  if (inserted.length > 0) return "added" as const;
  return (await db.select({ id: messages.id }).from(messages).where(live).get()) ? ("too_many" as const) : ("message_gone" as const);
}

/** True when the caller had that reaction; the count follows in the same batch. */
export async function removeReaction(db: HistoryDb, messageId: string, emoteAssetId: string, userId: string) {
  const emote = and(eq(reactionCounts.messageId, messageId), eq(reactionCounts.emoteAssetId, emoteAssetId));
  const [gone] = await db.batch([
    db
      .delete(reactions)
      .where(and(eq(reactions.messageId, messageId), eq(reactions.emoteAssetId, emoteAssetId), eq(reactions.userId, userId)))
      .returning({ userId: reactions.userId }),
    db.update(reactionCounts).set({ count: sql`${reactionCounts.count} - changes()` }).where(emote),
    db.delete(reactionCounts).where(and(emote, sql`${reactionCounts.count} <= 0`)),
  ]);
  return gone.length > 0;
}

/** One reaction a room decided before its message reached D1 (src/room/pending-changes.ts). */
export interface AcceptedReaction {
  messageId: string;
  emote: string;
  userId: string;
  at: number;
}

/**
 * The reactions of messages flushed in the same shard batch (after their rows): each row once, each
 * count recounted from the rows, so a retried flush leaves the same state.
 */
export function insertAcceptedReactions(db: HistoryDb, list: AcceptedReaction[]) {
  const first = new Map<string, AcceptedReaction>();
  for (const r of list) if (!first.has(`${r.messageId} ${r.emote}`)) first.set(`${r.messageId} ${r.emote}`, r);
  return [
    ...list.map((r) => db.insert(reactions).values({ messageId: r.messageId, emoteAssetId: r.emote, userId: r.userId, createdAt: r.at }).onConflictDoNothing()),
    ...[...first.values()].map((r) => {
      const count = sql<number>`(select count(*) from ${reactions} where message_id = ${r.messageId} and emote_asset_id = ${r.emote})`;
      return db
        .insert(reactionCounts)
        .values({ messageId: r.messageId, emoteAssetId: r.emote, count, firstAt: r.at })
        .onConflictDoUpdate({ target: [reactionCounts.messageId, reactionCounts.emoteAssetId], set: { count } });
    }),
  ];
}
