/** Pinned messages on a history shard: `pinned_at`/`pinned_by` on the message row, listed through a partial index. */
import { and, desc, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { type MessageRow, messages } from "../db/history";
import type { HistoryDb } from "../env";

/**
 * Pins a live message of the channel, in one conditional statement: only while it is not pinned and
 * the channel has fewer than `maxPins` pinned (counted inside the UPDATE, so of racing pins at the
 * cap exactly one wins). The pinned row, or undefined when nothing changed.
 */
export async function pinMessage(db: HistoryDb, channelId: string, messageId: string, userId: string, maxPins: number, now: number) {
  const pinnedHere = sql`(select count(*) from ${messages} p where p.channel_id = ${channelId} and p.pinned_at is not null)`;
  const [row] = await db
    .update(messages)
    .set({ pinnedAt: now, pinnedBy: userId })
    .where(
      and(
        eq(messages.id, messageId),
        eq(messages.channelId, channelId),
        isNull(messages.deletedAt),
        isNull(messages.pinnedAt),
        sql`${pinnedHere} < ${maxPins}`,
      ),
    )
    .returning();
  return row;
}

/** Unpins a message of the channel; the unpinned row, or undefined when it was not pinned (or not there). */
export async function unpinMessage(db: HistoryDb, channelId: string, messageId: string): Promise<MessageRow | undefined> {
  const [row] = await db
    .update(messages)
    .set({ pinnedAt: null, pinnedBy: null })
    .where(and(eq(messages.id, messageId), eq(messages.channelId, channelId), isNotNull(messages.pinnedAt)))
    .returning();
  return row;
}

/** The channel's pinned messages, most recently pinned first (at most `limit`: the cap keeps it small). */
export async function listPinned(db: HistoryDb, channelId: string, limit: number): Promise<MessageRow[]> {
  return db
    .select()
    .from(messages)
    .where(and(eq(messages.channelId, channelId), isNotNull(messages.pinnedAt)))
    .orderBy(desc(messages.pinnedAt), desc(messages.id))
    .limit(limit);
}
