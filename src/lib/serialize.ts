import type { Message } from "../db/history/messages";
import type { ReactionSummary } from "../db/history/reactions";
import type { ChannelRow, MemberRole } from "../db/schema";

/** Stored milliseconds → the API's unix seconds. */
export const seconds = (ms: number) => Math.floor(ms / 1000);

/** The seed's channel object (+ broadcast/archived; DM partner when known). */
export function channelJson(channel: ChannelRow, dmPartner?: { id: string; displayName: string } | null) {
  return {
    id: channel.id,
    type: channel.type,
    name: channel.name,
    owner_id: channel.ownerId,
    created_at: seconds(channel.createdAt),
    broadcast: channel.broadcast,
    archived: channel.archived,
    ...(channel.type === "dm" && dmPartner ? { other_user_id: dmPartner.id, other_user_name: dmPartner.displayName } : {}),
  };
}

export function memberJson(m: { userId: string; displayName: string; role: MemberRole; joinedAt: number }) {
  return { user_id: m.userId, display_name: m.displayName, role: m.role, joined_at: seconds(m.joinedAt) };
}

/** The seed's message object; a deleted message is a tombstone with no content or reactions. */
export function messageJson(m: Message, reactions: ReactionSummary[] = []) {
  const deleted = m.deletedAt !== null;
  return {
    id: m.id,
    channel_id: m.channelId,
    sender_id: m.senderId,
    sender_name: m.senderName,
    sender_type: m.senderKind,
    body: deleted ? "" : m.body,
    attachments: deleted ? [] : m.attachments,
    inline_emotes: deleted ? [] : m.inlineEmotes,
    created_at: seconds(m.createdAt),
    edited_at: m.editedAt === null ? null : seconds(m.editedAt),
    deleted,
    reactions: deleted ? [] : reactions,
  };
}
