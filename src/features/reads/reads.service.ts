/** Read cursors, callable from any surface: plain arguments, no HTTP. */
import type { Deps } from "../../env";
import { messagePosition } from "../../history";
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
  const position = await messagePosition(db, access.channel.id, messageId);
  if (position === undefined) throw messageNotFound();
  const now = Date.now();
  await setReadCursor(db, access.channel.id, me, messageId, position, now);
  const cursor = { channel_id: access.channel.id, last_read_message_id: messageId, updated_at: seconds(now) };
  // Only the reader's own sockets: their other devices clear the badge.
  await sendToUser(deps, access.channel.id, me, "read", { user_id: me, ...cursor });
  return cursor;
}
