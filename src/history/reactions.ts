import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../env";
import { reactions } from "../db/schema";

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

/** The distinct emotes on a message and whether `userId` used each (for the add rules). */
export async function emotesOn(db: Db, messageId: string, userId: string) {
  return db
    .select({ emote: reactions.emoteAssetId, mine: sql<number>`max(${reactions.userId} = ${userId})` })
    .from(reactions)
    .where(eq(reactions.messageId, messageId))
    .groupBy(reactions.emoteAssetId);
}

export async function addReaction(db: Db, messageId: string, emoteAssetId: string, userId: string) {
  await db.insert(reactions).values({ messageId, emoteAssetId, userId, createdAt: Date.now() });
}

/** True when the caller had that reaction. */
export async function removeReaction(db: Db, messageId: string, emoteAssetId: string, userId: string) {
  const gone = await db
    .delete(reactions)
    .where(and(eq(reactions.messageId, messageId), eq(reactions.emoteAssetId, emoteAssetId), eq(reactions.userId, userId)))
    .returning({ userId: reactions.userId });
  return gone.length > 0;
}
