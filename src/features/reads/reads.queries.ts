/** Read cursors as receipts: every member's cursor, straight from the directory (no history read). */
import { and, asc, eq, gt, or } from "drizzle-orm";
import { channelMembers } from "../../db/directory";
import type { Db } from "../../env";
import type { MemberCursor } from "../members/members.queries";

/** Members' cursors in join order (as the member list pages), `limit` of them after `after`. */
export async function listReadCursors(db: Db, channelId: string, limit: number, after?: MemberCursor) {
  const later = after
    ? or(gt(channelMembers.joinedAt, after.joinedAt), and(eq(channelMembers.joinedAt, after.joinedAt), gt(channelMembers.userId, after.userId)))
    : undefined;
  return db
    .select({ userId: channelMembers.userId, joinedAt: channelMembers.joinedAt, lastReadMessageId: channelMembers.lastReadMessageId, updatedAt: channelMembers.readUpdatedAt })
    .from(channelMembers)
    .where(and(eq(channelMembers.channelId, channelId), later))
    .orderBy(asc(channelMembers.joinedAt), asc(channelMembers.userId))
    .limit(limit);
}
