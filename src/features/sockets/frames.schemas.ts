/**
 * The WebSocket protocols as OpenAPI schemas, one `components.schemas` entry per frame, so a client
 * generator can type the frames it receives and sends. The upgrade routes link them from their 101
 * response (server → client) and request description (client → server). The room and hub validate
 * with src/realtime/protocol.ts; these describe the same shapes for readers and generators.
 */
import { z } from "@hono/zod-openapi";
import { Channel } from "../channels/channels.schemas";
import { Member } from "../members/members.schemas";
import { Message } from "../messages/messages.schemas";

const ChannelId = z.string().openapi({ example: "1234567890123456789" });
const Seq = z.number().int().openapi({ description: "The channel's event sequence: gap-free, per channel", example: 42 });
const NoSeq = z.null().openapi({ description: "Ephemeral: no seq, never replayed" });
const ErrorData = z.object({ code: z.string().openapi({ example: "CHAT_NOT_MEMBER" }), message: z.string(), details: z.unknown().optional() });

/** A channel socket frame: `{type, channel_id, seq, data}`. */
const channelFrame = <T extends z.ZodTypeAny>(name: string, type: string, seq: z.ZodTypeAny, data: T, description: string, extra: z.ZodRawShape = {}) =>
  z.object({ type: z.literal(type), channel_id: ChannelId, seq, data, ...extra }).openapi(name, { description });

const ReactionData = z.object({ message_id: z.string(), emote_asset_id: z.string().openapi({ example: "👍" }), user_id: z.string() });

export const ChannelServerFrame = z
  .union([
    channelFrame("FrameReady", "ready", Seq.openapi({ description: "The channel's current seq (pass it as since_seq when reconnecting)" }), z.object({ epoch: z.number().int().openapi({ description: "The room log's epoch: pass it with since_seq when reconnecting" }), online_user_ids: z.array(z.string()).optional() }), "First frame. `online_user_ids` in DMs and groups of ≤ 100"),
    channelFrame("FrameMessage", "message", Seq, Message, "A new message (a thread reply has `parent_id`)"),
    channelFrame("FrameMessageUpdate", "message_update", Seq, Message, "An edit, a thread root's new reply count, a pin change"),
    channelFrame("FrameMessageDelete", "message_delete", Seq, Message, "A deletion: the tombstone"),
    channelFrame("FrameReactionAdd", "reaction_add", Seq, ReactionData, "A reaction added"),
    channelFrame("FrameReactionRemove", "reaction_remove", Seq, ReactionData, "A reaction removed"),
    channelFrame("FrameMemberAdd", "member_add", Seq, Member, "A member joined or was added"),
    channelFrame("FrameMemberUpdate", "member_update", Seq, Member, "A member's role changed"),
    channelFrame("FrameMemberRemove", "member_remove", Seq, z.object({ user_id: z.string() }), "A member left or was removed"),
    channelFrame("FrameChannelUpdate", "channel_update", Seq, Channel, "The channel changed (name, settings, owner)"),
    channelFrame("FrameChannelDelete", "channel_delete", Seq, z.object({ id: z.string() }), "The channel was deleted; the socket then closes with 4004"),
    channelFrame("FrameTyping", "typing", NoSeq, z.object({ user_id: z.string() }), "Someone else is typing (at most one per user per 3 s; lasts 8 s)"),
    channelFrame("FrameRead", "read", NoSeq, z.object({ user_id: z.string(), channel_id: z.string(), last_read_message_id: z.string(), updated_at: z.number().int() }), "A read cursor moved: every member in DMs and groups, the reader only in rooms"),
    channelFrame("FramePresence", "presence", NoSeq, z.object({ user_id: z.string(), online: z.boolean() }), "A member came online or went offline (DMs and groups of ≤ 100)"),
    channelFrame("FrameResyncRequired", "resync_required", NoSeq, z.object({ seq: z.number().int(), since_seq: z.number().int(), epoch: z.number().int() }), "since_seq is older than the kept events, or from another epoch of the room's log: refetch the history"),
    channelFrame("FrameError", "error", NoSeq, ErrorData, "A client frame was refused (with `client_msg_id` for a send)", {
      client_msg_id: z.string().nullable().optional(),
    }),
    channelFrame("FrameAck", "ack", NoSeq, Message, "A socket send stored: the message", { client_msg_id: z.string() }),
  ])
  .openapi("ChannelServerFrame", { description: "Every frame the channel socket sends (text `pong` answers a text `ping`)" });

export const ChannelClientFrame = z
  .union([
    z.object({ type: z.literal("typing") }).openapi("ClientFrameTyping", { description: "You are typing (only where you may post)" }),
    z
      .object({
        type: z.literal("send"),
        client_msg_id: z.string().openapi({ description: "The Idempotency-Key: 1–255 printable ASCII", example: "c-7f3a" }),
        body: z.string().optional(),
        attachments: z.array(z.object({ asset_id: z.string() })).optional(),
        inline_emotes: z.array(z.object({ shortcode: z.string(), asset_id: z.string(), start_index: z.number().int(), end_index: z.number().int() })).optional(),
        mentioned_user_ids: z.array(z.string()).optional(),
        parent_id: z.string().nullable().optional(),
      })
      .openapi("ClientFrameSend", { description: "Send a message: answered by `ack` or `error` with the same client_msg_id" }),
  ])
  .openapi("ChannelClientFrame", { description: "Every JSON frame a client may send on a channel socket (and the text `ping`)" });

const hubFrame = <T extends z.ZodTypeAny>(name: string, type: string, seq: z.ZodTypeAny, data: T, description: string) =>
  z.object({ type: z.literal(type), seq, data }).openapi(name, { description });
const UserSeq = z.number().int().openapi({ description: "Your user socket's sequence: gap-free, per user", example: 7 });

export const UserServerFrame = z
  .union([
    hubFrame("UserFrameReady", "ready", NoSeq, z.object({ user_id: z.string(), seq: z.number().int() }), "First frame"),
    hubFrame(
      "UserFrameNotify",
      "notify",
      UserSeq,
      z.object({ channel_id: z.string(), message_id: z.string(), parent_id: z.string().nullable(), sender_id: z.string(), created_at: z.number().int(), mentions_me: z.boolean() }),
      "A new message in one of your channels",
    ),
    hubFrame("UserFrameChannelAdd", "channel_add", UserSeq, Channel, "You were added to a channel, or a DM was opened with you"),
    hubFrame("UserFrameChannelUpdate", "channel_update", UserSeq, Channel, "One of your channels changed"),
    hubFrame("UserFrameChannelRemove", "channel_remove", UserSeq, z.object({ channel_id: z.string() }), "Removed, left, or the channel was deleted"),
    hubFrame("UserFrameResyncRequired", "resync_required", NoSeq, z.object({ seq: z.number().int(), since_seq: z.number() }), "Refetch the channel list"),
    hubFrame("UserFrameError", "error", NoSeq, ErrorData, "A client frame was refused"),
  ])
  .openapi("UserServerFrame", { description: "Every frame the user socket sends (text `pong` answers a text `ping`)" });
