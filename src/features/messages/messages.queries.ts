/** The directory's side of messages: positions (unread counts) and deletions, next to the shard's rows. */
import { and, eq, isNull, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { channelMembers, channels, deletedPositions } from "../../db/directory";
import { publishers } from "../../db/integration";
import type { Db } from "../../env";
import { channelWithMembershipQuery, toAccess } from "../channels/channels.queries";
import { insertMentions } from "../mentions/mentions.queries";

/**
 * Who is sending: a member, under the channel's rules; or an integration's publisher, which must be
 * live and may post to any group or room (`intoDm`: to its own DM, the private-message route).
 */
export type { Poster } from "../../room/wire";
import type { Poster } from "../../room/wire";

/** Who may post, as one directory read: the channel with the sender's membership, and a publisher's liveness. */
export function postingQueries(db: Db, channelId: string, senderId: string, poster: Poster) {
  return [
    channelWithMembershipQuery(db, channelId, senderId),
    ...(poster.kind === "publisher" ? [db.select({ id: publishers.id }).from(publishers).where(and(eq(publishers.id, poster.publisherId), isNull(publishers.deletedAt)))] : []),
  ] as const;
}

/** What decides a send: the channel and membership (with the DM block flag), and whether a publisher sender is live. */
export interface PostingVerdict {
  access: ReturnType<typeof toAccess>;
  livePublisher: boolean;
}

const toVerdict = (access: unknown[], publisher: unknown[] | undefined): PostingVerdict => ({
  access: toAccess((access as Parameters<typeof toAccess>[0][])[0]),
  livePublisher: (publisher?.length ?? 0) > 0,
});

/** Reads who may post, before anything is written (one round trip). */
export async function readPosting(db: Db, channelId: string, senderId: string, poster: Poster): Promise<PostingVerdict> {
  const [access, publisher] = (await db.batch(postingQueries(db, channelId, senderId, poster) as unknown as [BatchItem<"sqlite">])) as unknown[][];
  return toVerdict(access!, publisher);
}

/**
 * Records a deleted position, so unread counts skip it. Also used when a send took a position but its
 * message never reached the shard: the position then counts as a deleted message, never as unread.
 */
export function recordDeletedPosition(db: Db, channelId: string, position: number, senderId: string) {
  return db.insert(deletedPositions).values({ channelId, position, senderId }).onConflictDoNothing();
}

/** One accepted top-level message, as its channel's directory row and its sender's cursor learn of it. */
export interface AcceptedMessage {
  messageId: string;
  senderId: string;
  position: number;
  now: number;
  mentioned: string[];
  /** The stamp of the update it came in, kept through coalescing (each cursor move is guarded by its own). */
  stamp?: number;
}

/** What one channel's flushes since the last update tell the directory, coalesced (src/room/directory-updates.ts). */
export interface ChannelUpdate {
  channelId: string;
  /** The room's stamp of the newest flush in it (monotonic per room, across restarts: microseconds). */
  stamp: number;
  dm: boolean;
  accepted: AcceptedMessage[];
}

/**
 * The directory's writes for one channel's update: the channel's last position and activity (max:
 * updates come late and more than once), each sender's read cursor (their own messages never count
 * as unread) unless a later cursor move stamped it since, a hidden DM unhidden, the mention rows
 * (only for positions not deleted meanwhile). Every write is idempotent.
 */
export function directoryWrites(db: Db, u: ChannelUpdate): BatchItem<"sqlite">[] {
  const { channelId, stamp, accepted } = u;
  const last = accepted.reduce((a, b) => (b.now > a.now ? b : a));
  const maxPosition = Math.max(...accepted.map((m) => m.position));
  const items: BatchItem<"sqlite">[] = [
    db
      .update(channels)
      .set({
        lastPosition: sql`max(${channels.lastPosition}, ${maxPosition})`,
        lastActivityAt: sql`max(${channels.lastActivityAt}, ${last.now})`,
        lastMessageAt: sql`max(coalesce(${channels.lastMessageAt}, 0), ${last.now})`,
        appliedStamp: sql`max(${channels.appliedStamp}, ${stamp})`,
      })
      .where(eq(channels.id, channelId)),
  ];
  const bySender = new Map<string, AcceptedMessage>();
  for (const m of accepted) if ((bySender.get(m.senderId)?.position ?? 0) < m.position) bySender.set(m.senderId, m);
  for (const m of bySender.values()) {
    items.push(
      db
        .update(channelMembers)
        .set({
          lastReadMessageId: sql`case when coalesce(${channelMembers.readPosition}, 0) <= ${m.position} then ${m.messageId} else ${channelMembers.lastReadMessageId} end`,
          readPosition: sql`max(coalesce(${channelMembers.readPosition}, 0), ${m.position})`,
          readUpdatedAt: m.now,
          ownAfter: 0,
          cursorStamp: m.stamp ?? stamp,
        })
        .where(and(eq(channelMembers.channelId, channelId), eq(channelMembers.userId, m.senderId), sql`${channelMembers.cursorStamp} < ${m.stamp ?? stamp}`)),
    );
  }
  if (u.dm) items.push(db.update(channelMembers).set({ hidden: false }).where(and(eq(channelMembers.channelId, channelId), eq(channelMembers.hidden, true))));
  for (const m of accepted) {
    if (!m.mentioned.length) continue;
    const live = sql`not exists (select 1 from ${deletedPositions} d where d.channel_id = ${channelId} and d.position = ${m.position})`;
    items.push(insertMentions(db, { channelId, messageId: m.messageId, senderId: m.senderId, userIds: m.mentioned }, live));
  }
  return items;
}
