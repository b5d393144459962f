/** The directory's side of retention: settings, holds, the channels to sweep, and unread bookkeeping. */
import { and, eq, gt, inArray, isNotNull, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { appSettings, channelMembers, channels, deletedPositions, legalHoldTargets, legalHolds, mentions } from "../../db/directory";
import type { Db } from "../../env";

export const DAY_MS = 24 * 60 * 60 * 1000;

/** An app setting's value (JSON), or undefined when never set. */
export async function readSetting<T>(db: Db, key: string): Promise<T | undefined> {
  const row = await db.select({ value: appSettings.value }).from(appSettings).where(eq(appSettings.key, key)).get();
  return row === undefined ? undefined : (row.value as T);
}

/** A batch item writing an app setting. */
export function writeSetting(db: Db, key: string, value: unknown, now = Date.now()) {
  return db.insert(appSettings).values({ key, value, updatedAt: now }).onConflictDoUpdate({ target: appSettings.key, set: { value, updatedAt: now } });
}

/** What active legal holds cover: whole channels, and every message of some senders. */
export async function activeHoldTargets(db: Db) {
  const rows = await db
    .select({ kind: legalHoldTargets.kind, targetId: legalHoldTargets.targetId })
    .from(legalHoldTargets)
    .innerJoin(legalHolds, eq(legalHolds.id, legalHoldTargets.holdId))
    .where(isNull(legalHolds.releasedAt));
  return {
    channels: new Set(rows.filter((r) => r.kind === "channel").map((r) => r.targetId)),
    users: [...new Set(rows.filter((r) => r.kind === "user").map((r) => r.targetId))],
  };
}

/**
 * The next page of live channels after `after` (id order) that have a retention limit: every channel
 * when the app has a default, else only those with their own.
 */
export async function channelsToSweep(db: Db, after: string, appDefault: number | null, limit: number) {
  return db
    .select({ id: channels.id, shard: channels.shard, retentionDays: channels.retentionDays, lastPosition: channels.lastPosition })
    .from(channels)
    .where(and(gt(channels.id, after), isNull(channels.deletedAt), appDefault === null ? isNotNull(channels.retentionDays) : undefined))
    .orderBy(channels.id)
    .limit(limit);
}

export interface RemovedTopLevel {
  channelId: string;
  position: number;
  senderId: string;
}

/**
 * Before a chunk leaves its shard: its top-level positions become deleted ones (unread counts skip
 * them, exactly as for a user's delete) and its mention rows go. Idempotent, so a sweep that stops
 * after this and before the shard's delete repeats it harmlessly next hour.
 */
export function forgetInDirectory(db: Db, positions: RemovedTopLevel[], mentioned: { channelId: string; messageId: string; userIds: string[] }[]) {
  const items: BatchItem<"sqlite">[] = [];
  for (let i = 0; i < positions.length; i += 30) {
    items.push(db.insert(deletedPositions).values(positions.slice(i, i + 30)).onConflictDoNothing());
  }
  for (const m of mentioned) {
    items.push(
      db
        .delete(mentions)
        .where(and(inArray(mentions.userId, sql`(select value from json_each(${JSON.stringify(m.userIds)}))`), eq(mentions.channelId, m.channelId), eq(mentions.messageId, m.messageId))),
    );
  }
  return items;
}

/** Members whose cursor is below `floor` and who moved it back over their own messages (their `own_after` needs recounting). */
export async function membersBelowWithOwn(db: Db, channelId: string, floor: number) {
  return db
    .select({ userId: channelMembers.userId })
    .from(channelMembers)
    .where(and(eq(channelMembers.channelId, channelId), lt(channelMembers.readPosition, floor), gt(channelMembers.ownAfter, 0)));
}

/**
 * Once no message at or below `floor` is left in a channel: cursors below it move up to it (nothing
 * there can be unread any more), which lets the channel's deleted positions up to it go, so they do not
 * pile up in the directory. `recounted`: members whose own messages after `floor` were counted again.
 * `lastMessageGone`: the channel's newest message expired (cutoff), so its `last_message_at` drops to
 * `newest` (what is left) unless a newer message arrived meanwhile.
 */
export function raiseFloor(db: Db, channelId: string, floor: number, recounted: { userId: string; ownAfter: number }[], newest: { at: number | null; cutoff: number }) {
  const items: BatchItem<"sqlite">[] = [];
  for (const r of recounted) {
    items.push(
      db
        .update(channelMembers)
        .set({ readPosition: floor, ownAfter: r.ownAfter })
        .where(and(eq(channelMembers.channelId, channelId), eq(channelMembers.userId, r.userId), lt(channelMembers.readPosition, floor))),
    );
  }
  items.push(
    db
      .update(channelMembers)
      .set({ readPosition: floor })
      .where(and(eq(channelMembers.channelId, channelId), lt(channelMembers.readPosition, floor), eq(channelMembers.ownAfter, 0))),
    // Only when every cursor is at or above the floor (a member the recount could not move keeps them).
    db
      .delete(deletedPositions)
      .where(
        and(
          eq(deletedPositions.channelId, channelId),
          lte(deletedPositions.position, floor),
          sql`not exists (select 1 from ${channelMembers} m where m.channel_id = ${channelId} and m.read_position < ${floor})`,
        ),
      ),
    db
      .update(channels)
      .set({ lastMessageAt: newest.at })
      .where(and(eq(channels.id, channelId), lt(channels.lastMessageAt, newest.cutoff))),
  );
  return items;
}

/** Whether an active legal hold covers a message of this channel by this sender (one indexed read). */
export async function isHeld(db: Db, channelId: string, senderId: string) {
  const row = await db
    .select({ id: legalHolds.id })
    .from(legalHoldTargets)
    .innerJoin(legalHolds, eq(legalHolds.id, legalHoldTargets.holdId))
    .where(
      and(
        isNull(legalHolds.releasedAt),
        or(and(eq(legalHoldTargets.kind, "channel"), eq(legalHoldTargets.targetId, channelId)), and(eq(legalHoldTargets.kind, "user"), eq(legalHoldTargets.targetId, senderId))),
      ),
    )
    .limit(1)
    .get();
  return row !== undefined;
}
