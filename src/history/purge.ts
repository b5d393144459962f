/** History housekeeping: deleted channels' messages, in bounded chunks. */
import { eq, inArray } from "drizzle-orm";
import { messages } from "../db/history";
import type { HistoryDb } from "../env";

/**
 * The ids of up to `limit` messages of a (deleted) channel: the next chunk to purge. Read before the
 * delete so the caller can retire the chunk's uploads first (src/features/channels/purge.ts).
 */
export async function nextPurgeChunk(db: HistoryDb, channelId: string, limit: number) {
  const rows = await db.select({ id: messages.id }).from(messages).where(eq(messages.channelId, channelId)).limit(limit);
  return rows.map((r) => r.id);
}

/** Deletes exactly these messages, with their reactions (cascade); 100 ids per statement, one batch. */
export async function deleteMessages(db: HistoryDb, ids: string[]) {
  const statements = [];
  for (let i = 0; i < ids.length; i += 100) statements.push(db.delete(messages).where(inArray(messages.id, ids.slice(i, i + 100))));
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}
