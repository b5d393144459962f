/** The directory's side of messages: positions (unread counts) and deletions, next to the shard's rows. */
import { type SQL, and, eq, isNull, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { channelMembers, channels, deletedPositions, users } from "../../db/directory";
import { publishers } from "../../db/integration";
import type { Db } from "../../env";
import { connectedMembersQuery } from "../../realtime/sockets.queries";
import { channelPosition, channelWithMembershipQuery, dmBlockedSql, toAccess } from "../channels/channels.queries";
import { insertMentions } from "../mentions/mentions.queries";

/**
 * Who is sending: a member, under the channel's rules; or an integration's publisher, which must be
 * live and may post to any group or room (`intoDm`: to its own DM, the private-message route).
 */
export type Poster = { kind: "member" } | { kind: "publisher"; publisherId: number; intoDm: boolean };

/**
 * The right to post as one SQL condition, for the conditional writes of a send: a live, unarchived
 * channel and, for a member, a membership allowed to post (broadcast: owner or admin) with no block
 * between a DM's two sides. `checkPoster` (channels/access.ts) states the same rule on a read row:
 * change both together.
 */
function canPostSql(channelId: string, userId: string, poster: Poster): SQL {
  const who =
    poster.kind === "member"
      ? sql` and exists (select 1 from ${channelMembers} m where m.channel_id = ${channels.id} and m.user_id = ${userId}
          and (${channels.broadcast} = 0 or m.role in ('owner', 'admin'))) and not ${dmBlockedSql(userId)}`
      : sql` and exists (select 1 from ${publishers} p where p.id = ${poster.publisherId} and p.deleted_at is null)${poster.intoDm ? sql`` : sql` and ${channels.type} != 'dm'`}`;
  return sql`exists (select 1 from ${channels} where ${channels.id} = ${channelId} and ${channels.deletedAt} is null and ${channels.archived} = 0${who})`;
}

export interface SendOpening {
  channelId: string;
  messageId: string;
  senderId: string;
  now: number;
  poster: Poster;
  /** A top-level message takes the channel's next position; a reply takes none. */
  takesPosition: boolean;
  mentionedUserIds: string[];
}

/**
 * Everything a send needs from the directory, in ONE round trip (a batch is one transaction): the
 * channel with the sender's membership and DM block flag (for the error a refused send gets), the
 * sender's name, the connected members (hub calls), and the writes — the next position, the sender's
 * read cursor (their own messages never count as unread), a hidden DM unhidden, the mention rows —
 * each conditional on the right to post, so a refused send writes nothing.
 */
export async function openSend(db: Db, m: SendOpening) {
  const allowed = canPostSql(m.channelId, m.senderId, m.poster);
  const sender = and(eq(channelMembers.channelId, m.channelId), eq(channelMembers.userId, m.senderId));
  const items: BatchItem<"sqlite">[] = [
    channelWithMembershipQuery(db, m.channelId, m.senderId),
    db.select({ name: users.displayName, kind: users.kind }).from(users).where(eq(users.id, m.senderId)),
    connectedMembersQuery(db, m.channelId, m.now),
    insertMentions(db, { channelId: m.channelId, messageId: m.messageId, senderId: m.senderId, userIds: m.mentionedUserIds }, allowed),
  ];
  const { poster } = m;
  const publisherAt = poster.kind === "publisher" ? items.push(db.select({ id: publishers.id }).from(publishers).where(and(eq(publishers.id, poster.publisherId), isNull(publishers.deletedAt)))) - 1 : -1;
  const positionAt = m.takesPosition
    ? items.push(
        db
          .update(channels)
          .set({ lastPosition: sql`${channels.lastPosition} + 1`, lastActivityAt: m.now, lastMessageAt: m.now })
          .where(and(eq(channels.id, m.channelId), allowed))
          .returning({ position: channels.lastPosition }),
        // changes(): the UPDATE just before in this batch (same connection) took the position.
        db
          .update(channelMembers)
          .set({ lastReadMessageId: m.messageId, readPosition: channelPosition(m.channelId), readUpdatedAt: m.now, ownAfter: 0 })
          .where(and(sender, sql`changes() > 0`)),
        db
          .update(channelMembers)
          .set({ hidden: false })
          .where(and(eq(channelMembers.channelId, m.channelId), eq(channelMembers.hidden, true), sql`(select ${channels.type} from ${channels} where ${channels.id} = ${m.channelId}) = 'dm'`, allowed)),
      ) - 3
    : -1;
  const results = (await db.batch(items as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]])) as unknown[][];
  const [access, senderRows, connected, kept] = results as [Parameters<typeof toAccess>[0][], { name: string; kind: "user" | "publisher" }[], { id: string }[], { userId: string }[]];
  return {
    access: toAccess(access[0]),
    sender: senderRows[0],
    /** A publisher sender: whether it is live (retired ones cannot post). */
    livePublisher: publisherAt >= 0 && results[publisherAt]!.length > 0,
    connected: connected.map((r) => r.id),
    mentioned: kept.map((r) => r.userId),
    /** The message's position; null for a reply, or when the send was refused (nothing written). */
    position: positionAt >= 0 ? ((results[positionAt] as { position: number }[])[0]?.position ?? null) : null,
  };
}

/**
 * Records a deleted position, so unread counts skip it. Also used when a send took a position but its
 * message never reached the shard: the position then counts as a deleted message, never as unread.
 */
export function recordDeletedPosition(db: Db, channelId: string, position: number, senderId: string) {
  return db.insert(deletedPositions).values({ channelId, position, senderId }).onConflictDoNothing();
}
