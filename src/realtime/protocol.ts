import { z } from "zod";
import { SendMessageBody } from "../features/messages/messages.schemas";
import { Snowflake, UserId } from "../platform/schemas";

/** A socket send's idempotency key: the REST `Idempotency-Key` rule (1–255 printable ASCII). */
export const ClientMsgId = z.string().regex(/^[\x21-\x7e]{1,255}$/, "client_msg_id must be 1-255 printable ASCII characters");

/**
 * `{"type":"send", …}`: the REST send's body plus `client_msg_id` (its Idempotency-Key), answered on
 * the same socket with `ack` or `error` carrying that `client_msg_id`.
 */
export const SendFrame = SendMessageBody.extend({
  type: z.literal("send"),
  client_msg_id: ClientMsgId,
  mentioned_user_ids: z.array(UserId).max(50).optional(),
  parent_id: Snowflake.optional(),
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
export type EphemeralType = "ready" | "typing" | "read" | "resync_required" | "error" | "ack";

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
/** Present when the user may post (and so type) here, as the Worker decided at connect time. */
export const ROOM_CAN_POST_HEADER = "X-Chat-Can-Post";

/** A state-changing call to a room, as it travels through the JOBS retry queue. */
export type RoomCall =
  | { kind: "publish"; channelId: string; eventId: string; type: SequencedType; data: unknown }
  | { kind: "remove"; channelId: string; eventId: string; userId: string }
  | { kind: "delete"; channelId: string; eventId: string };

/** A server frame as sent: serialized once, sent to every socket. */
export function frame(type: ServerFrame["type"], channelId: string, seq: number | null, data: unknown): string {
  return JSON.stringify({ type, channel_id: channelId, seq, data } satisfies ServerFrame);
}

/** The answer to a `send`: `ack` with the message, or `error` with `{code, message, details?}`. */
export function sendAnswer(type: "ack" | "error", channelId: string, clientMsgId: string | null, data: unknown): string {
  return JSON.stringify({ type, channel_id: channelId, seq: null, client_msg_id: clientMsgId, data } satisfies ServerFrame);
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
