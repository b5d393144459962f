/**
 * Every read and write of message history, against one history shard (`HistoryDb`: the D1 database
 * a channel was placed on). Features never touch history tables directly. Rows come back without
 * sender names: those live in the directory (features/messages/senders.ts adds them).
 */
import { SQL, and, asc, desc, eq, getTableColumns, gt, gte, inArray, is, isNull, lt, or, sql } from "drizzle-orm";
import { type DeletedBy, type InlineEmote, type MessageRow, type StoredAttachment, messages, reactionCounts, reactions } from "../db/history";
import type { HistoryDb } from "../env";
import { messageNotFound } from "../platform/errors";
import { type ReactionRow, groupReactions, reactionsQuery } from "./reactions";

export type Page = { limit: number; before?: string; after?: string; around?: string };

/**
 * One page, newest first. `before`/`after` exclude the cursor; `around` includes it with up to
 * floor(limit/2) older messages and the rest (the cursor and newer) on the other side. `hasMore`: more
 * exist beyond the page in the paging direction (older for before/around/none, newer for after).
 * `threadOf` null: the channel's top-level messages; a root's id: that thread's replies (both through
 * the index on channel, parent, id). The page's reactions come in the same shard batch (one round trip).
 */
export async function listMessages(db: HistoryDb, channelId: string, page: Page, threadOf: string | null = null) {
  const plan = pagePlan(channelId, page, threadOf);
  const select = (cols?: { id: typeof messages.id }) => plan.reads.map((r) => (cols ? db.select(cols) : db.select()).from(messages).where(r.where).orderBy(r.order).limit(r.limit));
  // The same reads, ids only, as the reactions' subqueries (a row read past the page costs one lookup).
  const inPage = or(...select({ id: messages.id }).map((ids) => inArray(reactionCounts.messageId, ids)))!;
  const results = await db.batch([reactionsQuery(db, inPage), ...(select() as [ReturnType<typeof select>[number]])]);
  const [reactionRows, ...pages] = results as unknown as [ReactionRow[], ...MessageRow[][]];
  return { ...plan.assemble(pages), reactions: groupReactions(reactionRows) };
}

/** `hasMoreAfter` only for `around` (the page may stop short of the newest message). */
export interface PageRows {
  messages: MessageRow[];
  hasMore: boolean;
  hasMoreAfter?: boolean;
}

/** A page as one or two ordered reads of the channel (or thread) and how their rows make the page. */
function pagePlan(channelId: string, page: Page, threadOf: string | null): { reads: { where: SQL | undefined; order: SQL; limit: number }[]; assemble: (pages: MessageRow[][]) => PageRows } {
  const inChannel = and(eq(messages.channelId, channelId), threadOf === null ? isNull(messages.parentId) : eq(messages.parentId, threadOf));
  const { limit } = page;
  if (page.after) {
    return {
      reads: [{ where: and(inChannel, gt(messages.id, page.after)), order: asc(messages.id), limit: limit + 1 }],
      assemble: ([rows]: MessageRow[][]) => ({ messages: rows!.slice(0, limit).reverse(), hasMore: rows!.length > limit }),
    };
  }
  if (page.around) {
    const olderCount = Math.floor(limit / 2);
    return {
      reads: [
        { where: and(inChannel, lt(messages.id, page.around)), order: desc(messages.id), limit: olderCount },
        { where: and(inChannel, gte(messages.id, page.around)), order: asc(messages.id), limit: limit - olderCount + 1 },
      ],
      assemble: ([older, newer]: MessageRow[][]) => {
        const newerPage = newer!.slice(0, limit - olderCount);
        return { messages: [...newerPage.reverse(), ...older!], hasMore: older!.length === olderCount, hasMoreAfter: newer!.length > newerPage.length };
      },
    };
  }
  return {
    reads: [{ where: and(inChannel, page.before ? lt(messages.id, page.before) : undefined), order: desc(messages.id), limit: limit + 1 }],
    assemble: ([rows]: MessageRow[][]) => ({ messages: rows!.slice(0, limit), hasMore: rows!.length > limit }),
  };
}

export async function getMessage(db: HistoryDb, channelId: string, messageId: string): Promise<MessageRow | undefined> {
  return db.select().from(messages).where(and(eq(messages.channelId, channelId), eq(messages.id, messageId))).get();
}

/** The channel's message, unless it does not exist or is deleted: then 404 CHAT_MESSAGE_NOT_FOUND. */
export async function requireLiveMessage(db: HistoryDb, channelId: string, messageId: string): Promise<MessageRow> {
  const message = await getMessage(db, channelId, messageId);
  if (!message || message.deletedAt !== null) throw messageNotFound();
  return message;
}

export interface NewMessage {
  id: string;
  channelId: string;
  /** Handed out by the directory (channels.last_position) for a top-level message; null for a reply. */
  position: number | null;
  senderId: string;
  body: string;
  inlineEmotes: InlineEmote[];
  attachments: StoredAttachment[];
  /** Members it mentions (already filtered by the directory's mention index). */
  mentionedUserIds?: string[];
  now: number;
  idempotencyKey?: string;
}

/** The row a new message is stored as (top-level or reply). */
export function rowValues(m: NewMessage, parentId: string | null = null): typeof messages.$inferInsert {
  return {
    id: m.id,
    channelId: m.channelId,
    position: m.position,
    parentId,
    senderId: m.senderId,
    body: m.body,
    inlineEmotes: m.inlineEmotes,
    attachments: m.attachments,
    mentionedUserIds: m.mentionedUserIds ?? [],
    createdAt: m.now,
  };
}

/** Stores a top-level message (its idempotency key lives in the channel's room, src/room/send/send-keys.ts). */
export async function insertMessage(db: HistoryDb, m: NewMessage): Promise<MessageRow> {
  const [inserted] = await db.insert(messages).values(rowValues(m)).returning();
  return inserted!;
}

/** Who a delete by `me` makes the tombstone's author: the message's own sender, or a moderator. */
export const deletedBy = (senderId: string, me: string): DeletedBy => (senderId === me ? "author" : "moderator");

/** What changed about an accepted message before its flush (src/room/pending-changes.ts): stored as it is now. */
export type AcceptedRow = NewMessage & Partial<Pick<MessageRow, "parentId" | "editedAt" | "deletedAt" | "deletedBy" | "pinnedAt" | "pinnedBy">>;

/**
 * Messages the channel's room accepted (write-ahead), flushed in one shard transaction, each as the
 * room holds it now (edited, deleted or pinned before the flush). Idempotent: a flush retried after
 * a lost answer inserts nothing twice (the id is the primary key) and leaves the room's version.
 */
export function insertAccepted(db: HistoryDb, rows: AcceptedRow[]) {
  return rows.map((m) => {
    const changed = { editedAt: m.editedAt ?? null, deletedAt: m.deletedAt ?? null, deletedBy: m.deletedBy ?? null, pinnedAt: m.pinnedAt ?? null, pinnedBy: m.pinnedBy ?? null };
    const values = { ...rowValues(m, m.parentId ?? null), ...changed };
    // Only the id may conflict (a retried flush): a taken position must fail loudly, never drop a message.
    const { body, inlineEmotes, attachments, mentionedUserIds } = values;
    return db.insert(messages).values(values).onConflictDoUpdate({ target: messages.id, set: { body, inlineEmotes, attachments, mentionedUserIds, ...changed } });
  });
}

/** The channel's highest stored position (0 for none). */
export async function lastStoredPosition(db: HistoryDb, channelId: string): Promise<number> {
  const row = await db.select({ max: sql<number | null>`max(${messages.position})` }).from(messages).where(eq(messages.channelId, channelId)).get();
  return row?.max ?? 0;
}

/**
 * `INSERT … SELECT … WHERE condition`: the row is stored only if the condition holds, in the same
 * statement. Drizzle inserts a select into every column in table order, so each column gets its value
 * or its default.
 */
export function insertMessageWhere(db: HistoryDb, values: typeof messages.$inferInsert, condition: SQL) {
  const row = values as Record<string, unknown>;
  const items = Object.entries(getTableColumns(messages)).map(([key, column]) => {
    const value = row[key] !== undefined ? row[key] : column.default;
    if (value === undefined) return sql`null`;
    return is(value, SQL) ? value : sql.param(value, column);
  });
  return db.insert(messages).select(sql`select ${sql.join(items, sql`, `)} where ${condition}`);
}

/**
 * Edits a live message (its mentions too, when given); false when it was deleted meanwhile (the write
 * is conditional, never check-then-act).
 */
export async function editMessage(db: HistoryDb, messageId: string, body: string, inlineEmotes: InlineEmote[], now: number, mentionedUserIds?: string[]) {
  const rows = await db
    .update(messages)
    .set({ body, inlineEmotes, editedAt: now, ...(mentionedUserIds ? { mentionedUserIds } : {}) })
    .where(and(eq(messages.id, messageId), isNull(messages.deletedAt)))
    .returning({ id: messages.id });
  return rows.length > 0;
}

/**
 * Soft delete: a tombstone keeps its place in history (and a root its thread: reply_count stays);
 * content, reactions and a pin go. Conditional on the message being live: of racing deletes exactly
 * one returns truthy. Deleting a reply (`parentId` set) takes it off its root's reply_count and
 * last_reply_at in the same transaction; the root as it is now comes back for its event.
 */
export async function softDeleteMessage(
  db: HistoryDb,
  message: Pick<MessageRow, "id" | "channelId" | "parentId">,
  now: number,
  by: DeletedBy,
): Promise<false | { root?: MessageRow; mentionedUserIds: string[] }> {
  const { id: messageId, channelId, parentId } = message;
  const [deleted, root] = await db.batch([
    db
      .update(messages)
      .set({ deletedAt: now, deletedBy: by, body: "", inlineEmotes: [], attachments: [], pinnedAt: null, pinnedBy: null })
      .where(and(eq(messages.id, messageId), isNull(messages.deletedAt)))
      // The mentions as they are at the delete (a concurrent edit may have changed them since our read).
      .returning({ id: messages.id, mentionedUserIds: messages.mentionedUserIds }),
    // changes() is the row count of the UPDATE just before it in this batch (same connection; the
    // search index's trigger does not count): the root moves only when the reply really went.
    db
      .update(messages)
      .set({
        replyCount: sql`${messages.replyCount} - 1`,
        // The newest live reply's time (null when none is left): read newest first, through the index.
        lastReplyAt: sql`(select r.created_at from ${messages} r where r.channel_id = ${channelId} and r.parent_id = ${parentId}
          and r.deleted_at is null order by r.id desc limit 1)`,
      })
      .where(and(eq(messages.id, parentId ?? ""), eq(messages.channelId, channelId), sql`changes() > 0`))
      .returning(),
    db.delete(reactions).where(eq(reactions.messageId, messageId)),
    db.delete(reactionCounts).where(eq(reactionCounts.messageId, messageId)),
  ]);
  return deleted.length > 0 && { root: root[0], mentionedUserIds: deleted[0]!.mentionedUserIds };
}

/** Position of a message in its channel (read cursors), or undefined when it is not there. */
export async function messagePosition(db: HistoryDb, channelId: string, messageId: string) {
  const row = await db
    .select({ position: messages.position })
    .from(messages)
    .where(and(eq(messages.channelId, channelId), eq(messages.id, messageId)))
    .get();
  return row?.position;
}

/** How many of `senderId`'s messages come after `position` (through an index: only those rows). */
export async function ownMessagesAfter(db: HistoryDb, channelId: string, senderId: string, position: number) {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(messages)
    .where(and(eq(messages.channelId, channelId), eq(messages.senderId, senderId), gt(messages.position, position)))
    .get();
  return row?.n ?? 0;
}
