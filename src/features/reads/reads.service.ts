/** Read cursors, callable from any surface: plain arguments, no HTTP. */
import type { Deps } from "../../env";
import { messagePosition, ownMessagesAfter } from "../../history";
import { messageNotFound } from "../../platform/errors";
import { seconds } from "../../platform/schemas";
import { sendToChannel, sendToUser } from "../../realtime/notify";
import { loadChannel, requireMember } from "../channels/access";
import { type MemberCursor, setReadCursor } from "../members/members.queries";
import { listReadCursors } from "./reads.queries";

/**
 * Moves the caller's cursor to a message of the channel, in either direction. `waiting`: the
 * message is one the channel's room accepted and D1 does not hold yet — its position, and the
 * reader's own messages after it, come from the room (D1 holds none of them: flushes go in order).
 */
export async function markRead(deps: Deps, me: string, channelId: string, messageId: string, waiting?: { position: number; ownAfter: number }) {
  const { db } = deps;
  const access = await loadChannel(db, channelId, me);
  requireMember(access);
  const shard = deps.history(access.channel.shard);
  const position = waiting ? waiting.position : await messagePosition(shard, access.channel.id, messageId);
  // Replies have no position: a thread reply is not a read cursor.
  if (position === undefined || position === null) throw messageNotFound();
  // The reader's own messages after the cursor are not unread: counted now, when it is set (an index
  // read of just those rows), so the channel list never reads history.
  const ownAfter = waiting ? waiting.ownAfter : await ownMessagesAfter(shard, access.channel.id, me, position);
  const now = Date.now();
  await setReadCursor(db, access.channel.id, me, messageId, position, ownAfter, now, deps.writeAhead?.stamp() ?? now * 1000);
  const cursor = { channel_id: access.channel.id, last_read_message_id: messageId, updated_at: seconds(now) };
  // DMs and groups show "seen" live, so every member's sockets hear it; in a room (public, possibly
  // huge) only the reader's own do, so their other devices clear the badge.
  const event = { user_id: me, ...cursor };
  if (access.channel.type === "room") await sendToUser(deps, access.channel.id, me, "read", event);
  else await sendToChannel(deps, access.channel.id, "read", event);
  return cursor;
}

/** Every member's read cursor (members only), a page in join order; `next` when more follow. */
export async function listReads(deps: Deps, me: string, channelId: string, limit: number, after?: MemberCursor) {
  const access = await loadChannel(deps.db, channelId, me);
  requireMember(access);
  const rows = await listReadCursors(deps.db, access.channel.id, me, limit + 1, after);
  const page = rows.slice(0, limit);
  const reads = page.map((r) => ({
    user_id: r.userId,
    last_read_message_id: r.lastReadMessageId,
    updated_at: r.updatedAt === null ? null : seconds(r.updatedAt),
  }));
  return { reads, next: rows.length > limit ? page.at(-1) : undefined };
}
