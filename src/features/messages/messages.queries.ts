/** The directory's side of messages: positions (unread counts) and deletions, next to the shard's rows. */
import { and, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { channelMembers, channels, deletedPositions } from "../../db/directory";
import type { Db } from "../../env";
import { channelPosition } from "../channels/channels.queries";

/**
 * Takes the channel's next position for a new message, in one directory transaction: counts it,
 * marks it read for its sender (their own messages never count as unread), unhides a DM. `also` joins
 * the same batch (the message's mention rows): one round trip, one transaction; its result comes back.
 */
export async function takePosition<T extends BatchItem<"sqlite">>(
  db: Db,
  m: { channelId: string; messageId: string; senderId: string; now: number; unhide: boolean },
  also?: T,
): Promise<{ position: number; also?: Awaited<T> }> {
  const member = and(eq(channelMembers.channelId, m.channelId), eq(channelMembers.userId, m.senderId));
  const [counted, ...rest] = await db.batch([
    db
      .update(channels)
      .set({ lastPosition: sql`${channels.lastPosition} + 1`, lastActivityAt: m.now, lastMessageAt: m.now })
      .where(eq(channels.id, m.channelId))
      .returning({ position: channels.lastPosition }),
    db
      .update(channelMembers)
      .set({ lastReadMessageId: m.messageId, readPosition: channelPosition(m.channelId), readUpdatedAt: m.now, ownAfter: 0 })
      .where(member),
    ...(m.unhide
      ? [db.update(channelMembers).set({ hidden: false }).where(and(eq(channelMembers.channelId, m.channelId), eq(channelMembers.hidden, true)))]
      : []),
    ...(also ? [also] : []),
  ]);
  return { position: counted[0]!.position, also: also ? (rest.at(-1) as Awaited<T>) : undefined };
}

/**
 * Records a deleted position, so unread counts skip it. Also used when a send took a position but its
 * message never reached the shard: the position then counts as a deleted message, never as unread.
 */
export function recordDeletedPosition(db: Db, channelId: string, position: number, senderId: string) {
  return db.insert(deletedPositions).values({ channelId, position, senderId }).onConflictDoNothing();
}
