import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "../env";
import { messages, reactions } from "../db/schema";

/** How many user ids a reaction lists; `count` stays exact. */
const USER_IDS_SHOWN = 100;

export interface ReactionSummary {
  emote_asset_id: string;
  count: number;
  user_ids: string[];
}

/** Reactions of many messages in one query, grouped per emote in order of first use. */
export async function reactionsFor(db: Db, messageIds: string[]): Promise<Map<string, ReactionSummary[]>> {
  const byMessage = new Map<string, ReactionSummary[]>();
  if (messageIds.length === 0) return byMessage;
  const rows = await db
    .select({ messageId: reactions.messageId, emote: reactions.emoteAssetId, userId: reactions.userId })
    .from(reactions)
    .where(inArray(reactions.messageId, messageIds))
    .orderBy(asc(reactions.createdAt), asc(reactions.userId));
  for (const row of rows) {
    const list = byMessage.get(row.messageId) ?? [];
    let summary = list.find((r) => r.emote_asset_id === row.emote);
    if (!summary) list.push((summary = { emote_asset_id: row.emote, count: 0, user_ids: [] }));
    summary.count += 1;
    if (summary.user_ids.length < USER_IDS_SHOWN) summary.user_ids.push(row.userId);
    byMessage.set(row.messageId, list);
  }
  return byMessage;
}

/**
 * Adds a reaction in one conditional statement, so racing requests cannot pass the cap: only to a
 * live message, and only while it has fewer than `maxEmotes` distinct emotes or already has this one.
 * "added", or why not; a duplicate (same user, same emote) throws a UNIQUE violation.
 */
export async function addReaction(db: Db, messageId: string, emoteAssetId: string, userId: string, maxEmotes: number) {
  const result = await db.run(sql`
    insert into ${reactions} (message_id, emote_asset_id, user_id, created_at)
    select ${messageId}, ${emoteAssetId}, ${userId}, ${Date.now()}
    where exists (select 1 from ${messages} where id = ${messageId} and deleted_at is null)
      and (exists (select 1 from ${reactions} where message_id = ${messageId} and emote_asset_id = ${emoteAssetId})
        or (select count(distinct emote_asset_id) from ${reactions} where message_id = ${messageId}) < ${maxEmotes})`);
  if (result.meta.changes > 0) return "added" as const;
  const live = await db.select({ id: messages.id }).from(messages).where(and(eq(messages.id, messageId), isNull(messages.deletedAt))).get();
  return live ? ("too_many" as const) : ("message_gone" as const);
}

/** True when the caller had that reaction. */
export async function removeReaction(db: Db, messageId: string, emoteAssetId: string, userId: string) {
  const gone = await db
    .delete(reactions)
    .where(and(eq(reactions.messageId, messageId), eq(reactions.emoteAssetId, emoteAssetId), eq(reactions.userId, userId)))
    .returning({ userId: reactions.userId });
  return gone.length > 0;
}
