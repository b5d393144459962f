import { and, desc, eq, inArray, lt, or } from "drizzle-orm";
import type { Db } from "../../env";
import { channelMembers, channels, userBlocks, users } from "../../db/schema";
import { alias } from "drizzle-orm/sqlite-core";

export async function blockUser(db: Db, blockerId: string, blockedId: string) {
  await db.insert(userBlocks).values({ blockerId, blockedId, createdAt: Date.now() }).onConflictDoNothing();
}

export async function unblockUser(db: Db, blockerId: string, blockedId: string) {
  await db.delete(userBlocks).where(and(eq(userBlocks.blockerId, blockerId), eq(userBlocks.blockedId, blockedId)));
}

/** Most recent first, `limit` of them after the cursor (block time, then user id). */
export async function listBlocks(db: Db, blockerId: string, limit: number, before?: { createdAt: number; userId: string }) {
  const older = before
    ? or(lt(userBlocks.createdAt, before.createdAt), and(eq(userBlocks.createdAt, before.createdAt), lt(userBlocks.blockedId, before.userId)))
    : undefined;
  return db
    .select({ userId: userBlocks.blockedId, displayName: users.displayName, createdAt: userBlocks.createdAt })
    .from(userBlocks)
    .innerJoin(users, eq(users.id, userBlocks.blockedId))
    .where(and(eq(userBlocks.blockerId, blockerId), older))
    .orderBy(desc(userBlocks.createdAt), desc(userBlocks.blockedId))
    .limit(limit);
}

/** True when either user has blocked the other: no new DM, no sending into their DM. */
export async function isBlockedEitherWay(db: Db, a: string, b: string) {
  const row = await db
    .select({ blockerId: userBlocks.blockerId })
    .from(userBlocks)
    .where(
      or(
        and(eq(userBlocks.blockerId, a), eq(userBlocks.blockedId, b)),
        and(eq(userBlocks.blockerId, b), eq(userBlocks.blockedId, a)),
      ),
    )
    .limit(1)
    .get();
  return row !== undefined;
}

/** The first of `userIds` who blocked `blockedId` (they may not be put in a channel by them), if any. */
export async function firstBlockerAmong(db: Db, blockedId: string, userIds: string[]): Promise<string | undefined> {
  // 90 ids a query: D1 binds at most 100 parameters per statement.
  for (let i = 0; i < userIds.length; i += 90) {
    const row = await db
      .select({ blockerId: userBlocks.blockerId })
      .from(userBlocks)
      .where(and(eq(userBlocks.blockedId, blockedId), inArray(userBlocks.blockerId, userIds.slice(i, i + 90))))
      .limit(1)
      .get();
    if (row) return row.blockerId;
  }
  return undefined;
}

/** How many blockers a socket remembers (a user blocked by more is still hidden from the first 1,000). */
export const MAX_BLOCKERS_KEPT = 1000;

/** Who blocked `userId` (their presence, typing and read receipts are hidden from `userId`). */
export async function blockersOf(db: Db, userId: string): Promise<string[]> {
  const rows = await db.select({ blockerId: userBlocks.blockerId }).from(userBlocks).where(eq(userBlocks.blockedId, userId)).limit(MAX_BLOCKERS_KEPT);
  return rows.map((r) => r.blockerId);
}

/** At most this many shared channels hear of a block at once (the rest on the blocked user's next connect). */
const MAX_SHARED_TOLD = 200;

/** DMs and groups both users are in: where presence, typing and receipts show (rooms show neither). */
export async function sharedChannels(db: Db, a: string, b: string): Promise<string[]> {
  const other = alias(channelMembers, "other");
  const rows = await db
    .select({ id: channelMembers.channelId })
    .from(channelMembers)
    .innerJoin(other, and(eq(other.channelId, channelMembers.channelId), eq(other.userId, b)))
    .innerJoin(channels, eq(channels.id, channelMembers.channelId))
    .where(and(eq(channelMembers.userId, a), inArray(channels.type, ["dm", "group"])))
    .limit(MAX_SHARED_TOLD);
  return rows.map((r) => r.id);
}
