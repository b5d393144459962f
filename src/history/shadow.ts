/**
 * A shadow-banned author's own messages (DESIGN §15), for their own history only: the top-level ones
 * whose ids fall in the window a history page covers, as message rows (no position, no replies).
 */
import { and, asc, eq, gt, gte, isNull, lt, lte, type SQL } from "drizzle-orm";
import { shadowMessages } from "../db/history";
import type { HistoryDb } from "../env";
import type { MessageRow } from "./index";

export interface IdWindow {
  /** Exclusive bounds, or inclusive ones (`inclusive`), by id (ids of one length compare as text). */
  above?: string;
  below?: string;
  inclusive?: boolean;
}

const MAX_SHADOW_PER_PAGE = 100;

export async function ownShadowMessages(db: HistoryDb, channelId: string, senderId: string, w: IdWindow): Promise<MessageRow[]> {
  const where: SQL[] = [eq(shadowMessages.channelId, channelId), eq(shadowMessages.senderId, senderId), isNull(shadowMessages.parentId)];
  if (w.above) where.push(w.inclusive ? gte(shadowMessages.id, w.above) : gt(shadowMessages.id, w.above));
  if (w.below) where.push(w.inclusive ? lte(shadowMessages.id, w.below) : lt(shadowMessages.id, w.below));
  const rows = await db.select().from(shadowMessages).where(and(...where)).orderBy(asc(shadowMessages.id)).limit(MAX_SHADOW_PER_PAGE);
  return rows.map(asMessageRow);
}

/** A shadow message as a message row: no position, replies, mentions, pins, edits or previews. */
export const asMessageRow = (r: typeof shadowMessages.$inferSelect) =>
  ({
    ...r,
    position: null,
    replyCount: 0,
    lastReplyAt: null,
    mentionedUserIds: [],
    pinnedAt: null,
    pinnedBy: null,
    editedAt: null,
    deletedAt: null,
    deletedBy: null,
    linkPreviews: null,
  }) as MessageRow;
