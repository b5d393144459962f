import { and, desc, eq, lt, or } from "drizzle-orm";
import type { Db } from "../../env";
import { userBlocks, users } from "../../db/schema";

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
