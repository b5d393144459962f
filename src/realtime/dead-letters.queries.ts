/** The `dead_letters` table (src/db/directory.ts): room calls waiting for their room, per channel in order. */
import { and, asc, count, eq, inArray, min, sql } from "drizzle-orm";
import { deadLetters } from "../db/directory";
import type { Db } from "../env";
import type { RoomCall } from "../room/protocol";

/** Appends calls at the back of their channels' lines, in the order given; a call already stored stays where it is. */
export async function storeDeadLetters(db: Db, calls: RoomCall[], error: string, now = Date.now()) {
  if (!calls.length) return;
  // One statement per call, in one batch: the autoincrement id is the order, and a batch keeps it.
  const inserts = calls.map((call) =>
    db.insert(deadLetters).values({ channelId: call.channelId, eventId: call.eventId, call, deadSince: now, lastError: error }).onConflictDoNothing(),
  );
  await db.batch(inserts as [(typeof inserts)[0], ...typeof inserts]);
}

/** Which of these channels have calls waiting (their later calls must wait behind them). */
export async function channelsWithDeadLetters(db: Db, channelIds: string[]): Promise<Set<string>> {
  if (!channelIds.length) return new Set();
  const rows = await db.selectDistinct({ channelId: deadLetters.channelId }).from(deadLetters).where(inArray(deadLetters.channelId, channelIds));
  return new Set(rows.map((r) => r.channelId));
}

/** A channel's waiting calls, oldest first. */
export const channelLine = (db: Db, channelId: string) =>
  db.select().from(deadLetters).where(eq(deadLetters.channelId, channelId)).orderBy(asc(deadLetters.id));

export const removeDeadLetter = (db: Db, id: number) => db.delete(deadLetters).where(eq(deadLetters.id, id));

/**
 * A call failed again: one more attempt counted (its backoff grows), when to try again, and why.
 * Only if nobody counted this attempt already (`seen`, the count the drain read): of two drains that
 * ran at once, one re-arms the line, so the channel keeps a single pending drain. True if this one did.
 */
export async function noteFailure(db: Db, id: number, seen: number, retryAt: number, error: string) {
  const updated = await db
    .update(deadLetters)
    .set({ attempts: sql`${deadLetters.attempts} + 1`, retryAt, lastError: error })
    .where(and(eq(deadLetters.id, id), eq(deadLetters.attempts, seen)))
    .returning({ id: deadLetters.id });
  return updated.length > 0;
}

const CHANNELS_SHOWN = 100;
const SAMPLE_SIZE = 10;

/** The operator's view: totals, the channels with the longest lines, and the oldest calls. One round trip. */
export async function deadLetterBacklog(db: Db) {
  const [totals, channels, sample] = await db.batch([
    db.select({ count: count(), oldest: min(deadLetters.deadSince) }).from(deadLetters),
    db
      .select({ channelId: deadLetters.channelId, count: count(), oldest: min(deadLetters.deadSince) })
      .from(deadLetters)
      .groupBy(deadLetters.channelId)
      .orderBy(sql`count(*) desc`, asc(deadLetters.channelId))
      .limit(CHANNELS_SHOWN),
    db.select().from(deadLetters).orderBy(asc(deadLetters.id)).limit(SAMPLE_SIZE),
  ]);
  return { totals: totals[0] ?? { count: 0, oldest: null }, channels, sample };
}
