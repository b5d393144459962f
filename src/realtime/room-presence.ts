/** The room's side of presence: reporting a user's channel sockets to their hub, and `ready`'s online list. */
import { type PresenceHub, ROOM_ONLINE_HEADER } from "./protocol";

/**
 * Tells the user's hub how many of their sockets are open on this channel's room. Absolute counts,
 * so a retry or a repeat is harmless; a few quick retries, then logged (the next open or close of
 * that user's socket here corrects the count). The hub is typed structurally: the room does not
 * import the hub's class.
 */
export async function reportChannelSockets(hubs: { getByName(name: string): unknown }, userId: string, channelId: string, count: number) {
  const hub = hubs.getByName(userId) as unknown as PresenceHub;
  for (let attempt = 1; ; attempt++) {
    try {
      return await hub.channelSockets(userId, channelId, count);
    } catch (err) {
      if (attempt === 3) {
        console.error(JSON.stringify({ level: "warn", room: "presence", channel_id: channelId, error: String(err) }));
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

/**
 * `online_user_ids` for `ready` where presence applies (the Worker sends the list, as a header, only
 * for DMs and groups of at most 100 members), with the connecting user, who is online by now.
 */
export function onlineUserIds(request: Request, userId: string): { online_user_ids?: string[] } {
  const header = request.headers.get(ROOM_ONLINE_HEADER);
  if (header === null) return {};
  const ids = JSON.parse(header) as string[];
  return { online_user_ids: ids.includes(userId) ? ids : [...ids, userId] };
}
