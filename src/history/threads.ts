/**
 * Thread replies on a history shard. Threads are one level deep (as in Slack): every reply's
 * `parent_id` is the root's id, and the root counts its live replies (`reply_count`, `last_reply_at`).
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { type MessageRow, messages } from "../db/history";
import type { HistoryDb } from "../env";
import { messageNotFound } from "../platform/errors";
import { type NewMessage, getMessage, insertMessageWhere, rowValues } from "./messages";

/** Where a reply goes: the message it answers (must be live) and its thread's root. */
export interface ThreadTarget {
  parentId: string;
  rootId: string;
}

/**
 * The thread a reply to `parentId` joins: the parent must be a live message of this channel (else
 * 404 CHAT_MESSAGE_NOT_FOUND); a reply to a reply joins the root's thread.
 */
export async function resolveThread(db: HistoryDb, channelId: string, parentId: string): Promise<ThreadTarget> {
  const parent = await getMessage(db, channelId, parentId);
  if (!parent || parent.deletedAt !== null) throw messageNotFound();
  return { parentId: parent.id, rootId: parent.parentId ?? parent.id };
}

/**
 * A thread's root as the replies list needs it: a top-level message of the channel, live, or a
 * tombstone that still has replies. Anything else is 404 CHAT_MESSAGE_NOT_FOUND.
 */
export async function requireThreadRoot(db: HistoryDb, channelId: string, rootId: string): Promise<MessageRow> {
  const root = await getMessage(db, channelId, rootId);
  if (!root || root.parentId !== null || (root.deletedAt !== null && root.replyCount === 0)) throw messageNotFound();
  return root;
}

/**
 * Stores a reply and counts it on its root, in one shard transaction: the insert is conditional on
 * the parent still being live and the root being in the channel, the root's `reply_count` and
 * `last_reply_at` move only if the reply went in. Undefined when
 * the parent went away since `resolveThread` (nothing was written); else the reply and the root as
 * they are now.
 */
export async function insertReply(db: HistoryDb, m: NewMessage, thread: ThreadTarget): Promise<{ reply: MessageRow; root: MessageRow } | undefined> {
  const parentLive = sql`exists (select 1 from ${messages} p where p.id = ${thread.parentId} and p.channel_id = ${m.channelId} and p.deleted_at is null)`;
  const rootHere = sql`exists (select 1 from ${messages} r where r.id = ${thread.rootId} and r.channel_id = ${m.channelId} and r.parent_id is null)`;
  const stored = sql`exists (select 1 from ${messages} n where n.id = ${m.id})`;
  const results = await db.batch([
    insertMessageWhere(db, rowValues({ ...m, position: null }, thread.rootId), sql`${parentLive} and ${rootHere}`),
    db
      .update(messages)
      .set({ replyCount: sql`${messages.replyCount} + 1`, lastReplyAt: m.now })
      .where(and(eq(messages.id, thread.rootId), eq(messages.channelId, m.channelId), isNull(messages.parentId), stored)),
    db.select().from(messages).where(eq(messages.id, m.id)),
    db.select().from(messages).where(eq(messages.id, thread.rootId)),
  ]);
  const [reply] = results.at(-2) as MessageRow[];
  const [root] = results.at(-1) as MessageRow[];
  return reply && root ? { reply, root } : undefined;
}

/**
 * A root's `reply_count` and `last_reply_at` recounted from its live replies (after a flush stored
 * replies the room accepted): the same state however often a retried flush runs it.
 */
export function recountThread(db: HistoryDb, channelId: string, rootId: string) {
  const live = sql`from ${messages} r where r.channel_id = ${channelId} and r.parent_id = ${rootId} and r.deleted_at is null`;
  return db
    .update(messages)
    .set({ replyCount: sql`(select count(*) ${live})`, lastReplyAt: sql`(select max(r.created_at) ${live})` })
    .where(and(eq(messages.id, rootId), eq(messages.channelId, channelId)));
}
