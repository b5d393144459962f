/** Messages by id on one shard, for the cross-channel lists (the mentions feed) that page ids elsewhere. */
import { inArray, isNull, and, sql } from "drizzle-orm";
import { messages } from "../db/history";
import type { HistoryDb } from "../env";

/**
 * The live messages among `ids` (any channels of this shard), in no particular order. The ids are
 * one JSON parameter: a page may hold more of them than D1 binds.
 */
export async function liveMessagesByIds(db: HistoryDb, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(messages)
    .where(and(inArray(messages.id, sql`(select value from json_each(${JSON.stringify(ids)}))`), isNull(messages.deletedAt)));
}
