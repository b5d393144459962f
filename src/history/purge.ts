/** History housekeeping: deleted channels' messages, in bounded chunks. */
import { eq, inArray } from "drizzle-orm";
import { messages } from "../db/history";
import type { HistoryDb } from "../env";

/** Deletes up to `limit` messages of a (deleted) channel, with their reactions and upload links. */
export async function purgeChannelHistory(db: HistoryDb, channelId: string, limit: number) {
  const gone = await db
    .delete(messages)
    .where(inArray(messages.id, db.select({ id: messages.id }).from(messages).where(eq(messages.channelId, channelId)).limit(limit)))
    .returning({ id: messages.id });
  return gone.length;
}
