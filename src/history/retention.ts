/**
 * Retention on one history shard (DESIGN §17): finding the messages past their channel's limit and
 * removing them, with everything that hangs off them, in bounded chunks. The directory's side
 * (uploads, unread counts, mention rows) is in src/features/retention/.
 */
import { inArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type StoredAttachment, messages, reactionCounts, reactions } from "../db/history";
import type { HistoryDb } from "../env";

/** One channel's limit as the shard query takes it: `before` bounds the (channel_id, id) index range. */
export interface ChannelCutoff {
  channelId: string;
  /** Messages created before this (ms) are expired. */
  cutoff: number;
  /** An id floor a little after the cutoff (ids carry their minting time): the index range to walk. */
  before: string;
}

/** An expired message as its removal needs it. */
export interface ExpiredRow {
  id: string;
  channelId: string;
  parentId: string | null;
  position: number | null;
  senderId: string;
  mentionedUserIds: string[];
  attachments: StoredAttachment[];
  /**
   * A thread root that still has replies younger than the limit: it becomes a tombstone (content,
   * reactions and pin gone, as a user's delete leaves it) and goes once its replies have.
   */
  keepAsTombstone: boolean;
}

/** D1 binds at most 100 parameters per statement. */
const IDS_PER_STATEMENT = 90;
const chunks = <T>(items: T[]) => Array.from({ length: Math.ceil(items.length / IDS_PER_STATEMENT) }, (_, i) => items.slice(i * IDS_PER_STATEMENT, (i + 1) * IDS_PER_STATEMENT));

/**
 * Up to `limit` expired messages of these channels (one query whatever their number: the channels
 * and their cutoffs travel as one JSON parameter, each walked through the (channel_id, id) index from
 * its start). Messages of `heldSenders` are skipped here, so a hold never blocks the chunks behind it;
 * so are tombstoned roots that still have replies (nothing left to remove until those go).
 */
export async function findExpired(db: HistoryDb, channels: ChannelCutoff[], heldSenders: string[], limit: number): Promise<ExpiredRow[]> {
  if (channels.length === 0) return [];
  const list = JSON.stringify(channels.map((c) => ({ c: c.channelId, t: c.cutoff, i: c.before })));
  const hasReplies = sql`exists (select 1 from ${messages} r where r.channel_id = m.channel_id and r.parent_id = m.id)`;
  const rows = await db.all<{
    id: string;
    channel_id: string;
    parent_id: string | null;
    position: number | null;
    sender_id: string;
    mentioned_user_ids: string;
    attachments: string;
    deleted_at: number | null;
    has_replies: number;
  }>(sql`select m.id, m.channel_id, m.parent_id, m.position, m.sender_id, m.mentioned_user_ids, m.attachments, m.deleted_at, ${hasReplies} as has_replies
    from json_each(${list}) j
    join ${messages} m on m.channel_id = json_extract(j.value, '$.c') and m.id < json_extract(j.value, '$.i')
    where m.created_at < json_extract(j.value, '$.t')
      and m.sender_id not in (select value from json_each(${JSON.stringify(heldSenders)}))
      and (m.deleted_at is null or not ${hasReplies})
    limit ${limit}`);
  return rows.map((r) => ({
    id: r.id,
    channelId: r.channel_id,
    parentId: r.parent_id,
    position: r.position,
    senderId: r.sender_id,
    mentionedUserIds: JSON.parse(r.mentioned_user_ids) as string[],
    attachments: JSON.parse(r.attachments) as StoredAttachment[],
    keepAsTombstone: r.has_replies > 0,
  }));
}

/**
 * Removes a chunk in one shard transaction: roots with younger replies become tombstones, the rest
 * are deleted (reactions by cascade, the search index by its trigger, pins with the row), and the
 * roots that lost replies and stay get their `reply_count` and `last_reply_at` counted again.
 */
export async function removeExpired(db: HistoryDb, rows: ExpiredRow[], now: number) {
  const tombstones = rows.filter((r) => r.keepAsTombstone).map((r) => r.id);
  const gone = rows.filter((r) => !r.keepAsTombstone).map((r) => r.id);
  const goneSet = new Set(gone);
  const roots = [...new Set(rows.flatMap((r) => (r.parentId && !goneSet.has(r.parentId) ? [r.parentId] : [])))];
  const items: BatchItem<"sqlite">[] = [];
  for (const part of chunks(tombstones)) {
    items.push(
      db
        .update(messages)
        .set({ deletedAt: sql`coalesce(${messages.deletedAt}, ${now})`, deletedBy: sql`coalesce(${messages.deletedBy}, 'retention')`, body: "", inlineEmotes: [], attachments: [], mentionedUserIds: [], pinnedAt: null, pinnedBy: null })
        .where(inArray(messages.id, part)),
      db.delete(reactions).where(inArray(reactions.messageId, part)),
      db.delete(reactionCounts).where(inArray(reactionCounts.messageId, part)),
    );
  }
  for (const part of chunks(gone)) items.push(db.delete(messages).where(inArray(messages.id, part)));
  // After the deletes (same transaction): the counts of what is left.
  for (const part of chunks(roots)) {
    items.push(
      db
        .update(messages)
        .set({
          replyCount: sql`(select count(*) from ${messages} r where r.channel_id = "messages"."channel_id" and r.parent_id = "messages"."id" and r.deleted_at is null)`,
          lastReplyAt: sql`(select r.created_at from ${messages} r where r.channel_id = "messages"."channel_id" and r.parent_id = "messages"."id" and r.deleted_at is null order by r.id desc limit 1)`,
        })
        .where(inArray(messages.id, part)),
    );
  }
  const [first, ...rest] = items;
  if (first) await db.batch([first, ...rest]);
}

/**
 * Per channel: the lowest position still stored (null: none; no read cursor can point below it any
 * more) and the newest top-level message's time (null: none), each through an index.
 */
export async function channelRemains(db: HistoryDb, channelIds: string[]) {
  if (channelIds.length === 0) return [];
  return db.all<{ channel_id: string; min_position: number | null; newest: number | null }>(sql`select j.value as channel_id,
      (select min(position) from ${messages} where channel_id = j.value) as min_position,
      (select created_at from ${messages} where channel_id = j.value and parent_id is null order by id desc limit 1) as newest
    from json_each(${JSON.stringify(channelIds)}) j`);
}
