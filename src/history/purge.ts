/** History housekeeping: deleted channels' messages and expired idempotency keys, in bounded chunks. */
import { eq, inArray, lt, sql } from "drizzle-orm";
import { idempotencyKeys, messages } from "../db/history";
import type { HistoryDb } from "../env";
import { IDEMPOTENCY_TTL_MS } from "./messages";

/** Deletes up to `limit` messages of a (deleted) channel, with their reactions and upload links. */
export async function purgeChannelHistory(db: HistoryDb, channelId: string, limit: number) {
  const gone = await db
    .delete(messages)
    .where(inArray(messages.id, db.select({ id: messages.id }).from(messages).where(eq(messages.channelId, channelId)).limit(limit)))
    .returning({ id: messages.id });
  return gone.length;
}

/** Cron: forget idempotency keys past their 24 h window, `chunk` rows per statement (no unbounded RETURNING). */
export async function purgeExpiredIdempotencyKeys(db: HistoryDb, now: number, chunk = 1000, rounds = 20) {
  let purged = 0;
  for (let round = 0; round < rounds; round++) {
    const expired = db
      .select({ rowid: sql`rowid` })
      .from(idempotencyKeys)
      .where(lt(idempotencyKeys.createdAt, now - IDEMPOTENCY_TTL_MS))
      .limit(chunk);
    const result = await db.run(sql`delete from ${idempotencyKeys} where rowid in ${expired}`);
    purged += result.meta.changes;
    if (result.meta.changes < chunk) break;
  }
  return purged;
}
