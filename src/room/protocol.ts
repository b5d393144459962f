/**
 * The WebSocket protocols, described once: the zod schemas the room and the hub validate client
 * frames with are also the OpenAPI components (one per frame, `components.schemas`) that the upgrade
 * routes link from their 101 responses, so a client generator can type every frame; plus the frame
 * builders, close codes and the headers the Worker forwards an upgrade with.
 */
import { z } from "@hono/zod-openapi";
import { Channel } from "../features/channels/channels.schemas";
import { Member } from "../features/members/members.schemas";
import { Message, SendMessageBody } from "../features/messages/messages.schemas";
import { errorBody } from "../platform/errors";

/** A socket send's idempotency key: the REST `Idempotency-Key` rule (1–255 printable ASCII). */
export const ClientMsgId = z.string().regex(/^[\x21-\x7e]{1,255}$/, "client_msg_id must be 1-255 printable ASCII characters");

/**
 * `{"type":"send", …}`: the REST send's body plus `client_msg_id` (its Idempotency-Key), answered on
 * the same socket with `ack` or `error` carrying that `client_msg_id`.
 */
export const SendFrame = SendMessageBody.extend({
  type: z.literal("send"),
  client_msg_id: ClientMsgId.openapi({ description: "The Idempotency-Key: 1–255 printable ASCII", example: "c-7f3a" }),
}).openapi("ClientFrameSend", { description: "Send a message: answered by `ack` or `error` with the same client_msg_id" });
export type SendFrame = z.infer<typeof SendFrame>;

/** Frames a client may send. Text `ping` is answered `pong` by the runtime without waking the room. */
export const ClientFrame = z
  .union([z.object({ type: z.literal("typing") }).openapi("ClientFrameTyping", { description: "You are typing (only where you may post)" }), SendFrame])
  .openapi("ChannelClientFrame", { description: "Every JSON frame a client may send on a channel socket (and the text `ping`)" });
export type ClientFrame = z.infer<typeof ClientFrame>;

/** Events that change state: each takes the channel's next `seq` and is kept for replay. */
export const SEQUENCED_TYPES = [
  "message",
  "message_update",
  "message_delete",
  "reaction_add",
  "reaction_remove",
  "member_add",
  "member_update",
  "member_remove",
  "channel_update",
  "channel_delete",
] as const;
export type SequencedType = (typeof SEQUENCED_TYPES)[number];

/** Frames that are not state: no `seq` (null), never replayed. */
export type EphemeralType = "ready" | "typing" | "read" | "resync_required" | "error" | "ack" | "presence";

/** Every server frame: `{type, channel_id, seq, data}`; answers to a `send` add its `client_msg_id`. */
export interface ServerFrame {
  type: SequencedType | EphemeralType;
  channel_id: string;
  seq: number | null;
  /** On `ack` and on the `error` answering a `send` (null when the frame had no usable one). */
  client_msg_id?: string | null;
  data: unknown;
}

/** Close codes the room uses. */
export const CLOSE_REMOVED = 4003;
export const CLOSE_CHANNEL_DELETED = 4004;

/** Headers the Worker sets when it forwards an authenticated upgrade to the room. */
export const ROOM_USER_HEADER = "X-Chat-User-Id";
export const ROOM_CHANNEL_HEADER = "X-Chat-Channel-Id";
/** `<ticket id> <expiry in unix seconds>` when the upgrade came with a ticket (it opens one socket). */
export const ROOM_TICKET_HEADER = "X-Chat-Ticket";

export type { HubCall, HubCalls, RoomCall } from "./wire";

/** Sent to a DM's or small group's sockets when a member goes online or offline (seq null). */
export const PresenceData = z.object({ user_id: z.string(), online: z.boolean() });
export type PresenceData = z.infer<typeof PresenceData>;

// ---- the user socket (UserHub) ---------------------------------------------------------------

/** Hub frames that take the user's next `seq` and are kept for replay. */
export const HUB_SEQUENCED_TYPES = ["notify", "channel_add", "channel_remove", "channel_update", "scheduled_failed", "reminder"] as const;
export type HubSequencedType = (typeof HUB_SEQUENCED_TYPES)[number];

/** `notify`: a new message in one of the user's channels (the message itself comes from REST or the channel socket). */
export const NotifyData = z.object({
  channel_id: z.string(),
  message_id: z.string(),
  parent_id: z.string().nullable(),
  sender_id: z.string(),
  created_at: z.number().int(),
  mentions_me: z.boolean(),
});
export type NotifyData = z.infer<typeof NotifyData>;

/** A user socket frame as sent. */
export function hubFrame(type: HubSequencedType | "ready" | "resync_required" | "error", seq: number | null, data: unknown): string {
  return JSON.stringify({ type, seq, data });
}

/** Headers the Worker sets when it forwards an authenticated user socket upgrade to the hub. */
export const HUB_USER_HEADER = "X-Chat-User-Id";

/** What a room needs of a user's hub (kept structural so the room does not import the hub). */
export interface PresenceHub {
  /** The number of `userId`'s sockets open on `channelId`'s room now (absolute, so retries are harmless). */
  channelSockets(userId: string, channelId: string, count: number): Promise<void>;
}

/** A server frame as sent: serialized once, sent to every socket. */
export function frame(type: ServerFrame["type"], channelId: string, seq: number | null, data: unknown): string {
  return JSON.stringify({ type, channel_id: channelId, seq, data } satisfies ServerFrame);
}

/** The answer to a `send`: `ack` with the message, or `error` with `{code, message, details?}`. */
export function sendAnswer(type: "ack" | "error", channelId: string, clientMsgId: string | null, data: unknown): string {
  return JSON.stringify({ type, channel_id: channelId, seq: null, client_msg_id: clientMsgId, data } satisfies ServerFrame);
}

/** An upgrade the room or hub refuses: the API's error body, which the Worker answers with. */
export function refusal(status: number, code: string, message: string): Response {
  return Response.json(errorBody(code, message), { status });
}

/** Closes a socket that may already be closed. */
export function closeQuietly(ws: WebSocket, code: number, reason: string) {
  try {
    ws.close(code, reason);
  } catch {
    // Already closed.
  }
}

/** Sends to a socket that may have closed meanwhile (e.g. while its frame was being handled). */
export function sendQuietly(ws: WebSocket, text: string) {
  try {
    ws.send(text);
  } catch {
    // Closed: nobody is left to answer.
  }
}

// ---- every server frame, as OpenAPI components -------------------------------------------------

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
    channelFrame("FrameMemberRemove", "member_remove", Seq, z.object({ user_id: z.string(), reason: z.literal("banned").optional() }), "A member left or was removed (`reason`: \"banned\" after a ban, DESIGN §15)"),
    channelFrame("FrameChannelUpdate", "channel_update", Seq, Channel, "The channel changed (name, settings, owner)"),
    channelFrame("FrameChannelDelete", "channel_delete", Seq, z.object({ id: z.string() }), "The channel was deleted; the socket then closes with 4004"),
    channelFrame("FrameTyping", "typing", NoSeq, z.object({ user_id: z.string() }), "Someone else is typing (at most one per user per 3 s; lasts 8 s)"),
    channelFrame("FrameRead", "read", NoSeq, z.object({ user_id: z.string(), channel_id: z.string(), last_read_message_id: z.string(), updated_at: z.number().int() }), "A read cursor moved: every member in DMs and groups, the reader only in rooms"),
    channelFrame("FramePresence", "presence", NoSeq, PresenceData, "A member came online or went offline (DMs and groups of ≤ 100)"),
    channelFrame("FrameResyncRequired", "resync_required", NoSeq, z.object({ seq: z.number().int(), since_seq: z.number().int(), epoch: z.number().int() }), "since_seq is older than the kept events, or from another epoch of the room's log: refetch the history"),
    channelFrame("FrameError", "error", NoSeq, ErrorData, "A client frame was refused (with `client_msg_id` for a send)", {
      client_msg_id: z.string().nullable().optional(),
    }),
    channelFrame("FrameAck", "ack", NoSeq, Message, "A socket send stored: the message", { client_msg_id: z.string() }),
  ])
  .openapi("ChannelServerFrame", { description: "Every frame the channel socket sends (text `pong` answers a text `ping`)" });

const userFrame = <T extends z.ZodTypeAny>(name: string, type: string, seq: z.ZodTypeAny, data: T, description: string) =>
  z.object({ type: z.literal(type), seq, data }).openapi(name, { description });
const UserSeq = z.number().int().openapi({ description: "Your user socket's sequence: gap-free, per user", example: 7 });

export const UserServerFrame = z
  .union([
    userFrame("UserFrameReady", "ready", NoSeq, z.object({ user_id: z.string(), seq: z.number().int() }), "First frame"),
    userFrame("UserFrameNotify", "notify", UserSeq, NotifyData, "A new message in one of your channels"),
    userFrame("UserFrameChannelAdd", "channel_add", UserSeq, Channel, "You were added to a channel, or a DM was opened with you"),
    userFrame("UserFrameChannelUpdate", "channel_update", UserSeq, Channel, "One of your channels changed"),
    userFrame("UserFrameChannelRemove", "channel_remove", UserSeq, z.object({ channel_id: z.string() }), "Removed, left, or the channel was deleted"),
    userFrame(
      "UserFrameScheduledFailed",
      "scheduled_failed",
      UserSeq,
      z.object({ id: z.string(), channel_id: z.string(), code: z.string().openapi({ example: "CHAT_NOT_MEMBER" }) }),
      "One of your scheduled messages was refused at its time (nothing was stored); it stays in your list as failed",
    ),
    userFrame(
      "UserFrameReminder",
      "reminder",
      UserSeq,
      z.object({ id: z.string(), channel_id: z.string(), message_id: z.string().nullable(), text: z.string().nullable(), remind_at: z.number().int(), created_at: z.number().int() }),
      "A reminder of yours is due (it leaves GET /v1/reminders)",
    ),
    userFrame("UserFrameResyncRequired", "resync_required", NoSeq, z.object({ seq: z.number().int(), since_seq: z.number() }), "Refetch the channel list"),
    userFrame("UserFrameError", "error", NoSeq, ErrorData, "A client frame was refused"),
  ])
  .openapi("UserServerFrame", { description: "Every frame the user socket sends (text `pong` answers a text `ping`)" });

