import { z } from "zod";
import { SendMessageBody } from "../features/messages/messages.schemas";

/** A socket send's idempotency key: the REST `Idempotency-Key` rule (1–255 printable ASCII). */
export const ClientMsgId = z.string().regex(/^[\x21-\x7e]{1,255}$/, "client_msg_id must be 1-255 printable ASCII characters");

/**
 * `{"type":"send", …}`: the REST send's body plus `client_msg_id` (its Idempotency-Key), answered on
 * the same socket with `ack` or `error` carrying that `client_msg_id`.
 */
export const SendFrame = SendMessageBody.extend({
  type: z.literal("send"),
  client_msg_id: ClientMsgId,
});
export type SendFrame = z.infer<typeof SendFrame>;

/** Frames a client may send. Text `ping` is answered `pong` by the runtime without waking the room. */
export const ClientFrame = z.discriminatedUnion("type", [z.object({ type: z.literal("typing") }), SendFrame]);
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

/** A state-changing call to a room, as it travels through the JOBS retry queue. */
export type RoomCall =
  | { kind: "publish"; channelId: string; eventId: string; type: SequencedType; data: unknown }
  | { kind: "remove"; channelId: string; eventId: string; userId: string }
  | { kind: "delete"; channelId: string; eventId: string };

/** Sent to a DM's or small group's sockets when a member goes online or offline (seq null). */
export const PresenceData = z.object({ user_id: z.string(), online: z.boolean() });
export type PresenceData = z.infer<typeof PresenceData>;

// ---- the user socket (UserHub) ---------------------------------------------------------------

/** Hub frames that take the user's next `seq` and are kept for replay. */
export const HUB_SEQUENCED_TYPES = ["notify", "channel_add", "channel_remove", "channel_update"] as const;
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

/** Every user socket frame: `{type, seq, data}`; `seq` is per user, null for ephemeral frames. */
export const HubFrame = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready"), seq: z.null(), data: z.object({ user_id: z.string(), seq: z.number().int() }) }),
  z.object({ type: z.literal("resync_required"), seq: z.null(), data: z.object({ seq: z.number().int(), since_seq: z.number() }) }),
  z.object({ type: z.literal("error"), seq: z.null(), data: z.object({ code: z.string(), message: z.string() }) }),
  z.object({ type: z.literal("notify"), seq: z.number().int(), data: NotifyData }),
  z.object({ type: z.literal("channel_add"), seq: z.number().int(), data: z.object({ id: z.string() }).passthrough() }),
  z.object({ type: z.literal("channel_update"), seq: z.number().int(), data: z.object({ id: z.string() }).passthrough() }),
  z.object({ type: z.literal("channel_remove"), seq: z.number().int(), data: z.object({ channel_id: z.string() }) }),
]);
export type HubFrame = z.infer<typeof HubFrame>;

/** A user socket frame as sent. */
export function hubFrame(type: HubFrame["type"], seq: number | null, data: unknown): string {
  return JSON.stringify({ type, seq, data });
}

/** A delivery to one user's hub; `eventId` makes it idempotent. */
export interface HubCall {
  userId: string;
  eventId: string;
  type: HubSequencedType;
  data: unknown;
}

/** Hub calls as they travel through the JOBS queue: up to 100 per message, all retried together (each hub dedupes). */
export interface HubCalls {
  kind: "hubs";
  calls: HubCall[];
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
  return Response.json({ error: { code, message } }, { status });
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
