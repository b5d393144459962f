/**
 * Every read and write of message history. Routes never touch the messages table directly,
 * so history can later move (several D1 databases, or per-channel DO storage) behind this module.
 */
import { and, asc, desc, eq, getTableColumns, gt, gte, inArray, isNull, lt, sql } from "drizzle-orm";
import type { Db } from "../env";
import { messageNotFound } from "../platform/errors";
import { attachments, channelMembers, channels, idempotencyKeys, type InlineEmote, messageAttachments, messages, reactionCounts, reactions, type StoredAttachment, users } from "../db/schema";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

const withSender = { ...getTableColumns(messages), senderName: users.displayName, senderKind: users.kind };

export type Message = typeof messages.$inferSelect & { senderName: string; senderKind: "user" | "publisher" };

function selectMessages(db: Db) {
  return db.select(withSender).from(messages).innerJoin(users, eq(users.id, messages.senderId));
}

export type Page = { limit: number; before?: string; after?: string; around?: string };

/**
 * One page, newest first. `before`/`after` exclude the cursor; `around` includes it with up to
 * floor(limit/2) older messages and the rest (the cursor and newer) on the other side. `hasMore`: more exist beyond the page in the
 * paging direction (older for before/around/none, newer for after); `hasMoreAfter` for around.
 */
export async function listMessages(db: Db, channelId: string, page: Page) {
  const inChannel = eq(messages.channelId, channelId);
  const { limit } = page;
  if (page.after) {
    const rows = await selectMessages(db).where(and(inChannel, gt(messages.id, page.after))).orderBy(asc(messages.id)).limit(limit + 1);
    return { messages: rows.slice(0, limit).reverse(), hasMore: rows.length > limit };
  }
  if (page.around) {
    const olderCount = Math.floor(limit / 2);
    const [older, newer] = await db.batch([
      selectMessages(db).where(and(inChannel, lt(messages.id, page.around))).orderBy(desc(messages.id)).limit(olderCount),
      selectMessages(db).where(and(inChannel, gte(messages.id, page.around))).orderBy(asc(messages.id)).limit(limit - olderCount + 1),
    ]);
    const newerPage = newer.slice(0, limit - olderCount);
    return { messages: [...newerPage.reverse(), ...older], hasMore: older.length === olderCount, hasMoreAfter: newer.length > newerPage.length };
  }
  const rows = await selectMessages(db)
    .where(and(inChannel, page.before ? lt(messages.id, page.before) : undefined))
    .orderBy(desc(messages.id))
    .limit(limit + 1);
  return { messages: rows.slice(0, limit), hasMore: rows.length > limit };
}

export async function getMessage(db: Db, channelId: string, messageId: string): Promise<Message | undefined> {
  return selectMessages(db).where(and(eq(messages.channelId, channelId), eq(messages.id, messageId))).get();
}

/** The channel's message, unless it does not exist or is deleted: then 404 CHAT_MESSAGE_NOT_FOUND. */
export async function requireLiveMessage(db: Db, channelId: string, messageId: string): Promise<Message> {
  const message = await getMessage(db, channelId, messageId);
  if (!message || message.deletedAt !== null) throw messageNotFound();
  return message;
}

export interface NewMessage {
  id: string;
  channelId: string;
  senderId: string;
  body: string;
  inlineEmotes: InlineEmote[];
  attachments: StoredAttachment[];
  now: number;
  /** DMs reappear for members who hid them. */
  unhide: boolean;
  idempotencyKey?: string;
}

/** The channel's current position (messages ever sent there), read inside the statement that uses it. */
export const channelPosition = (channelId: string) => sql`(select ${channels.lastPosition} from ${channels} where ${channels.id} = ${channelId})`;

/**
 * Stores a message in one transaction: takes the channel's next position, inserts, marks it read
 * for its sender, unhides a DM, records the idempotency key. A reused key fails the whole batch
 * (UNIQUE), so a concurrent retry can never store a second copy.
 */
export async function insertMessage(db: Db, m: NewMessage): Promise<Message> {
  const member = and(eq(channelMembers.channelId, m.channelId), eq(channelMembers.userId, m.senderId));
  const key = m.idempotencyKey;
  const results = await db.batch([
    db
      .update(channels)
      .set({ lastPosition: sql`${channels.lastPosition} + 1`, lastActivityAt: m.now, lastMessageAt: m.now })
      .where(eq(channels.id, m.channelId)),
    db.insert(messages).values({
      id: m.id,
      channelId: m.channelId,
      senderId: m.senderId,
      body: m.body,
      inlineEmotes: m.inlineEmotes,
      attachments: m.attachments,
      createdAt: m.now,
      position: channelPosition(m.channelId),
    }),
    // Links the uploads; a primary-key conflict (already used) fails the whole send.
    ...(m.attachments.length
      ? [db.insert(messageAttachments).values(m.attachments.map((a) => ({ assetId: a.asset_id, messageId: m.id })))]
      : []),
    db
      .update(channelMembers)
      .set({ lastReadMessageId: m.id, readPosition: channelPosition(m.channelId), readUpdatedAt: m.now })
      .where(member),
    ...(m.unhide
      ? [db.update(channelMembers).set({ hidden: false }).where(and(eq(channelMembers.channelId, m.channelId), eq(channelMembers.hidden, true)))]
      : []),
    ...(key
      ? [
          db
            .delete(idempotencyKeys)
            .where(and(eq(idempotencyKeys.senderId, m.senderId), eq(idempotencyKeys.key, key), lt(idempotencyKeys.createdAt, m.now - IDEMPOTENCY_TTL_MS))),
          db.insert(idempotencyKeys).values({ senderId: m.senderId, key, messageId: m.id, createdAt: m.now }),
        ]
      : []),
    selectMessages(db).where(eq(messages.id, m.id)),
  ]);
  return (results.at(-1) as Message[])[0]!;
}

/** The message an earlier send with this key stored, if within 24 h. */
export async function findByIdempotencyKey(db: Db, senderId: string, key: string, now: number) {
  return selectMessages(db)
    .innerJoin(idempotencyKeys, eq(idempotencyKeys.messageId, messages.id))
    .where(and(eq(idempotencyKeys.senderId, senderId), eq(idempotencyKeys.key, key), gte(idempotencyKeys.createdAt, now - IDEMPOTENCY_TTL_MS)))
    .get();
}

/** Edits a live message; false when it was deleted meanwhile (the write is conditional, never check-then-act). */
export async function editMessage(db: Db, messageId: string, body: string, inlineEmotes: InlineEmote[], now: number) {
  const rows = await db
    .update(messages)
    .set({ body, inlineEmotes, editedAt: now })
    .where(and(eq(messages.id, messageId), isNull(messages.deletedAt)))
    .returning({ id: messages.id });
  return rows.length > 0;
}

/**
 * Soft delete: a tombstone keeps its place in history; content and reactions go, its uploads are
 * unlinked and marked deleted (their bytes are removed after the answer, or by the hourly cron).
 * Conditional on the message being live: of racing deletes exactly one returns true.
 */
export async function softDeleteMessage(db: Db, messageId: string, assetIds: string[], now: number) {
  const [deleted] = await db.batch([
    db
      .update(messages)
      .set({ deletedAt: now, body: "", inlineEmotes: [], attachments: [] })
      .where(and(eq(messages.id, messageId), isNull(messages.deletedAt)))
      .returning({ id: messages.id }),
    db.delete(reactions).where(eq(reactions.messageId, messageId)),
    db.delete(reactionCounts).where(eq(reactionCounts.messageId, messageId)),
    db.delete(messageAttachments).where(eq(messageAttachments.messageId, messageId)),
    ...(assetIds.length ? [db.update(attachments).set({ status: "deleted" }).where(inArray(attachments.id, assetIds))] : []),
  ]);
  return deleted.length > 0;
}

/** Position of a message in its channel (read cursors), or undefined when it is not there. */
export async function messagePosition(db: Db, channelId: string, messageId: string) {
  const row = await db
    .select({ position: messages.position })
    .from(messages)
    .where(and(eq(messages.channelId, channelId), eq(messages.id, messageId)))
    .get();
  return row?.position;
}

/**
 * Unread messages for the member row in scope: positions after their cursor, less their own and
 * deleted ones there. Both corrections read only the matching rows through partial/compound
 * indexes, so a long history is never scanned. For the channel list's select.
 */
export const unreadCountSql = sql<number>`(${channels.lastPosition} - ${channelMembers.readPosition}
  - (select count(*) from ${messages} d where d.channel_id = ${channels.id} and d.deleted_at is not null and d.position > ${channelMembers.readPosition})
  - (select count(*) from ${messages} o where o.channel_id = ${channels.id} and o.sender_id = ${channelMembers.userId} and o.position > ${channelMembers.readPosition} and o.deleted_at is null))`;
