/**
 * Erasure on one history shard (DESIGN §17): a user's messages, reactions and pins, walked through
 * the `messages_sender` and `reactions_user` indexes in bounded chunks. Messages of held channels
 * (`held`) are left as they are. The directory's side is in src/features/erasure/.
 */
import { and, eq, isNotNull, sql } from "drizzle-orm";
import type { HistoryDb } from "../env";
import type { ExpiredRow } from "./retention";
import { type StoredAttachment, messages, reactionCounts, reactions } from "../db/history";

const list = (ids: string[]) => JSON.stringify(ids);

/**
 * Up to `limit` of the user's messages outside held channels, as retention's removal takes them
 * (removeExpired): roots with replies become tombstones. Tombstoned roots that still have replies
 * are skipped here (nothing left to remove) and renamed by `renameSender`.
 */
export async function findSentToDelete(db: HistoryDb, userId: string, held: string[], limit: number): Promise<ExpiredRow[]> {
  const hasReplies = sql`exists (select 1 from messages r where r.channel_id = m.channel_id and r.parent_id = m.id)`;
  const rows = await db.all<{ id: string; channel_id: string; parent_id: string | null; position: number | null; mentioned_user_ids: string; attachments: string; deleted_at: number | null; has_replies: number }>(
    sql`select m.id, m.channel_id, m.parent_id, m.position, m.mentioned_user_ids, m.attachments, m.deleted_at, ${hasReplies} as has_replies
      from messages m indexed by messages_sender
      where m.sender_id = ${userId} and m.channel_id not in (select value from json_each(${list(held)}))
        and (m.deleted_at is null or not ${hasReplies})
      order by m.id limit ${limit}`,
  );
  return rows.map((r) => ({
    id: r.id,
    channelId: r.channel_id,
    parentId: r.parent_id,
    position: r.position,
    senderId: userId,
    mentionedUserIds: JSON.parse(r.mentioned_user_ids) as string[],
    attachments: JSON.parse(r.attachments) as StoredAttachment[],
    keepAsTombstone: r.has_replies > 0,
  }));
}

/** Up to `limit` of the user's messages outside held channels that still carry their id (to be renamed). */
export async function findSentToRename(db: HistoryDb, userId: string, held: string[], limit: number) {
  return db.all<{ id: string; channel_id: string; position: number | null; attachments: string }>(
    sql`select id, channel_id, position, attachments from messages indexed by messages_sender
      where sender_id = ${userId} and channel_id not in (select value from json_each(${list(held)})) order by id limit ${limit}`,
  );
}

/**
 * The kept messages of an erasure with `messages: "keep"` (and tombstones of "delete"): the sender
 * becomes the pseudonym (shown as "Deleted user") and the attachments list empties (the uploads go
 * with the user's other files). One statement; the ids are one JSON parameter.
 */
export async function renameSender(db: HistoryDb, ids: string[], pseudonym: string) {
  if (ids.length === 0) return;
  await db.run(sql`update messages set sender_id = ${pseudonym}, attachments = '[]' where id in (select value from json_each(${list(ids)}))`);
}

/**
 * Removes up to `limit` of the user's reactions outside held channels and recounts the counts they
 * were part of (a count that reaches zero goes). Returns how many went: fewer than `limit` means done.
 */
export async function removeReactionsOf(db: HistoryDb, userId: string, held: string[], limit: number): Promise<number> {
  const rows = await db.all<{ message_id: string; emote_asset_id: string }>(
    sql`select r.message_id, r.emote_asset_id from reactions r indexed by reactions_user join messages m on m.id = r.message_id
      where r.user_id = ${userId} and m.channel_id not in (select value from json_each(${list(held)})) limit ${limit}`,
  );
  if (rows.length === 0) return 0;
  const pairs = JSON.stringify(rows.map((r) => [r.message_id, r.emote_asset_id]));
  const same = sql`exists (select 1 from json_each(${pairs}) p where json_extract(p.value, '$[0]') = "reaction_counts"."message_id" and json_extract(p.value, '$[1]') = "reaction_counts"."emote_asset_id")`;
  const ofPair = sql`r.message_id = "reaction_counts"."message_id" and r.emote_asset_id = "reaction_counts"."emote_asset_id"`;
  await db.batch([
    db.delete(reactions).where(
      and(
        eq(reactions.userId, userId),
        sql`exists (select 1 from json_each(${pairs}) p where json_extract(p.value, '$[0]') = "reactions"."message_id" and json_extract(p.value, '$[1]') = "reactions"."emote_asset_id")`,
      ),
    ),
    db
      .update(reactionCounts)
      .set({
        count: sql`(select count(*) from reactions r where ${ofPair})`,
        firstAt: sql`coalesce((select min(r.created_at) from reactions r where ${ofPair}), "reaction_counts"."first_at")`,
      })
      .where(same),
    db.delete(reactionCounts).where(and(eq(reactionCounts.count, 0), same)),
  ]);
  return rows.length;
}

/** Pins made by the user keep the pin and name the pseudonym; mentions of the user in others' messages too. */
export async function renameMentionsAndPins(db: HistoryDb, userId: string, pseudonym: string, mentionedIn: string[]) {
  await db.batch([
    db.update(messages).set({ pinnedBy: pseudonym }).where(and(isNotNull(messages.pinnedAt), eq(messages.pinnedBy, userId))),
    db
      .update(messages)
      .set({ mentionedUserIds: sql`replace(${messages.mentionedUserIds}, ${JSON.stringify(userId)}, ${JSON.stringify(pseudonym)})` })
      .where(sql`${messages.id} in (select value from json_each(${list(mentionedIn)}))`),
  ]);
}

/** Channels where the user sent anything since `sinceId` (their rooms' replay logs may still name them). */
export async function channelsSentToSince(db: HistoryDb, userId: string, sinceId: string) {
  const rows = await db.all<{ channel_id: string }>(sql`select distinct channel_id from messages indexed by messages_sender where sender_id = ${userId} and id >= ${sinceId}`);
  return rows.map((r) => r.channel_id);
}
