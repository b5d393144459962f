/** Read cursors, callable from any surface: plain arguments, no HTTP. */
import type { Deps } from "../../env";
import { messagePosition, ownMessagesAfter } from "../../history";
import { messageNotFound } from "../../platform/errors";
import { seconds } from "../../platform/schemas";
import { sendToUser } from "../../realtime/notify";
import { loadChannel, requireMember } from "../channels/access";
import { setReadCursor } from "../members/members.queries";

/** Moves the caller's cursor to a message of the channel, in either direction. */
export async function markRead(deps: Deps, me: string, channelId: string, messageId: string) {
  const { db } = deps;
  const access = await loadChannel(db, channelId, me);
  requireMember(access);
  const shard = deps.history(access.channel.shard);
  const position = await messagePosition(shard, access.channel.id, messageId);
  // Replies have no position: a thread reply is not a read cursor.
  if (position === undefined || position === null) throw messageNotFound();
  // The reader's own messages after the cursor are not unread: counted now, when it is set (an index
  // read of just those rows), so the channel list never reads history.
  const ownAfter = await ownMessagesAfter(shard, access.channel.id, me, position);
  const now = Date.now();
  await setReadCursor(db, access.channel.id, me, messageId, position, ownAfter, now);
  const cursor = { channel_id: access.channel.id, last_read_message_id: messageId, updated_at: seconds(now) };
  // Only the reader's own sockets: their other devices clear the badge.
  await sendToUser(deps, access.channel.id, me, "read", { user_id: me, ...cursor });
  return cursor;
}
