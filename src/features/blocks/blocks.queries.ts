import { and, desc, eq, or } from "drizzle-orm";
import type { Db } from "../../env";
import { userBlocks, users } from "../../db/schema";

export async function blockUser(db: Db, blockerId: string, blockedId: string) {
  await db.insert(userBlocks).values({ blockerId, blockedId, createdAt: Date.now() }).onConflictDoNothing();
}

export async function unblockUser(db: Db, blockerId: string, blockedId: string) {
  await db.delete(userBlocks).where(and(eq(userBlocks.blockerId, blockerId), eq(userBlocks.blockedId, blockedId)));
}

export async function listBlocks(db: Db, blockerId: string) {
  return db
    .select({ userId: userBlocks.blockedId, displayName: users.displayName, createdAt: userBlocks.createdAt })
    .from(userBlocks)
    .innerJoin(users, eq(users.id, userBlocks.blockedId))
    .where(eq(userBlocks.blockerId, blockerId))
    .orderBy(desc(userBlocks.createdAt));
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
