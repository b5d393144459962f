/**
 * Sends over a channel socket (`{"type":"send", …}`): the REST send's rules and results, run inside
 * the channel's room, answered on the socket with `ack` (the message) or `error` (the REST error
 * code), both carrying the frame's `client_msg_id`. The message event itself goes to every socket
 * through the room's own publish, called directly rather than through the room's stub.
 */
import type { Deps } from "../../env";
import { type SendInput, sendMessage } from "./send";
import { emptyStats } from "../../platform/d1-metering";
import { ApiError } from "../../platform/errors";
import { ensureIdNode } from "../../platform/id-registry";
import { validationError } from "../../platform/on-error";
import { SendFrame, sendAnswer } from "../protocol";
import { newId } from "../../platform/ids";
import { type RoomContext, errorData, roomDeps, sendOrderKeys } from "./room-send";


/** The socket's owner, as the Worker authenticated them at connect time. */
export interface SocketSender {
  userId: string;
  channelId: string;
}

/** A parsed client frame that names itself a send: from here on it is answered with ack or error. */
export const isSendAttempt = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && (value as { type?: unknown }).type === "send";

/**
 * Handles one send frame and returns the answer to send back on its socket. Never throws: every
 * failure becomes an `error` frame (an unexpected one as INTERNAL with a request id, and logged).
 */
export async function answerSend(room: RoomContext, sender: SocketSender, value: Record<string, unknown>): Promise<string> {
  const started = Date.now();
  const requestId = crypto.randomUUID();
  const stats = emptyStats();
  // Echoed even when invalid (as long as it is a string), so the client can match the error to its frame.
  const clientMsgId = typeof value.client_msg_id === "string" ? value.client_msg_id : null;
  let outcome = "ack";
  try {
    const message = await send(roomDeps(room, stats, requestId), room, sender, value);
    return sendAnswer("ack", sender.channelId, clientMsgId, message);
  } catch (err) {
    const data = socketError(err, requestId, sender);
    outcome = data.code;
    return sendAnswer("error", sender.channelId, clientMsgId, data);
  } finally {
    if (room.env.LOG_LEVEL !== "silent") {
      const line = { at: new Date(started).toISOString(), request_id: requestId, socket: "send", channel_id: sender.channelId, user: sender.userId, outcome, ms: Date.now() - started, d1: stats };
      console.log(JSON.stringify(line));
    }
  }
}

/**
 * The REST send's steps in the REST order: rate limit, validation, who may post (decided now, not
 * at connect time: membership, role, archive and blocks may have changed), then `sendMessage`.
 */
async function send(deps: Deps, room: RoomContext, sender: SocketSender, value: Record<string, unknown>) {
  // Independent, so started together: the limiter and the id lease (free while fresh).
  const leased = ensureIdNode(deps.env);
  leased.catch(() => {}); // awaited below unless a check throws first
  const budget = room.sendBudgets.get(sender.userId);
  if (!budget.take()) throw new ApiError("RATE_LIMITED", "Too many messages", undefined, { "Retry-After": String(budget.retryAfter()) });
  const parsed = SendFrame.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error, "json");
  const frame = parsed.data;
  await leased;
  // Who may post is decided now, inside the send's directory batch (membership, role, archive and
  // blocks may have changed since the socket opened).
  const input = {
    channelId: sender.channelId,
    poster: { kind: "member" },
    senderId: sender.userId,
    uploaderId: sender.userId,
    body: frame.body,
    inlineEmotes: frame.inline_emotes,
    assetIds: frame.attachments.map((a) => a.asset_id),
    idempotencyKey: frame.client_msg_id,
    parentId: frame.parent_id ?? undefined,
    mentionedUserIds: frame.mentioned_user_ids,
    messageId: newId(Date.now()),
  } satisfies SendInput;
  const { message } = await room.order.alongsideOthers(() => sendMessage(deps, input, room.sends), sendOrderKeys(input));
  return message;
}


/** The `error` frame's data: the REST error's code and message (and details, as REST gives them: Retry-After as `retry_after`). */
function socketError(err: unknown, requestId: string, sender: SocketSender): { code: string; message: string; details?: unknown } {
  const { code, message, details, headers } = errorData(err, requestId, sender.channelId);
  const retryAfter = headers?.["Retry-After"];
  const shown = details ?? (retryAfter ? { retry_after: Number(retryAfter) } : undefined);
  return shown === undefined ? { code, message } : { code, message, details: shown };
}
