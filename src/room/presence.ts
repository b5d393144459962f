/** The room's side of presence: reporting a user's channel sockets to their hub, and `ready`'s online list. */
import type { PresenceHub } from "./protocol";

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
 * `online_user_ids` for `ready` where presence applies (`online` is given only for DMs and groups of
 * at most 100 members), with the connecting user, who is online by now.
 */
export function onlineUserIds(online: string[] | undefined, userId: string): { online_user_ids?: string[] } {
  if (online === undefined) return {};
  return { online_user_ids: online.includes(userId) ? online : [...online, userId] };
}
