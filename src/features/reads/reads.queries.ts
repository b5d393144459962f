/** Read cursors as receipts: every member's cursor, straight from the directory (no history read). */
import { and, asc, eq, gt, notExists, or } from "drizzle-orm";
import { channelMembers, userBlocks } from "../../db/directory";
import type { Db } from "../../env";
import type { MemberCursor } from "../members/members.queries";

/** Members' cursors in join order (as the member list pages), `limit` of them after `after`; not those of members who blocked `viewer`. */
export async function listReadCursors(db: Db, channelId: string, viewer: string, limit: number, after?: MemberCursor) {
  const blockedViewer = db
    .select({ one: userBlocks.blockerId })
    .from(userBlocks)
    .where(and(eq(userBlocks.blockerId, channelMembers.userId), eq(userBlocks.blockedId, viewer)));
  const later = after
    ? or(gt(channelMembers.joinedAt, after.joinedAt), and(eq(channelMembers.joinedAt, after.joinedAt), gt(channelMembers.userId, after.userId)))
    : undefined;
  return db
    .select({ userId: channelMembers.userId, joinedAt: channelMembers.joinedAt, lastReadMessageId: channelMembers.lastReadMessageId, updatedAt: channelMembers.readUpdatedAt })
    .from(channelMembers)
    .where(and(eq(channelMembers.channelId, channelId), later, notExists(blockedViewer)))
    .orderBy(asc(channelMembers.joinedAt), asc(channelMembers.userId))
    .limit(limit);
}
