/**
 * Sends run in the channel's room, which hands out positions: a REST or integration send is one
 * RPC to the room (`sendInRoom`), which runs `sendMessage` with its own D1 sessions and answers
 * with the message or the error, plus the D1 cost and bookmarks for the request's Server-Timing and
 * X-D1-Bookmark. A socket send runs the same code in the room without the RPC (socket-send.ts).
 */
import type { Deps, Env, HistoryDb, LocalRoom } from "../../env";
import { sendMessage } from "./send";
import type { ErrorData, RoomAnswer, RoomSendRequest, SendInput } from "../wire";
import type { messageJson } from "../../features/messages/messages.schemas";
import { type D1Stats, addStats, emptyStats, meterD1 } from "../../platform/d1-metering";
import { createDb } from "../../platform/db";
import { ApiError } from "../../platform/errors";
import { ensureIdNode } from "../../platform/id-registry";
import { newId } from "../../platform/ids";
import { RequestSessions } from "../../platform/sessions";
import { historyDb, shardBinding } from "../../platform/shards";
import { roomOf } from "../../realtime/notify";
import { tryWithBackoff } from "../../realtime/retry";
import type { ChangeOrder } from "../change-order";
import type { Buckets } from "../socket-limits";
import { messageKey } from "../changes";
import type { SendState } from "./send-state";

/** What the room gives a send run inside it: its bindings, itself (for the local publish), its waitUntil, its send state. */
export interface RoomContext {
  env: Env;
  local: LocalRoom;
  waitUntil: (work: Promise<unknown>) => void;
  sends: SendState;
  order: ChangeOrder;
  /** Socket sends per user (src/room/socket-limits.ts). */
  sendBudgets: Buckets;
}

type SentMessage = ReturnType<typeof messageJson>;
/** The room's answer to a send, with the message's precise type (the RPC interface, wire.ts, has a looser one). */
export type RoomSendResult = RoomAnswer<{ message: SentMessage; replayed: boolean }>;
export type { ErrorData, RoomSendRequest } from "../wire";

/**
 * The Worker's side. The message id is minted here, so retrying a call whose answer was lost (the
 * room reset mid-send) cannot store a second message: the retry finds the first by its id.
 */
export async function sendInRoom(deps: Deps, input: SendInput): Promise<{ message: SentMessage; replayed: boolean }> {
  await ensureIdNode(deps.env);
  const request: RoomSendRequest = { ...input, messageId: newId(Date.now()), requestId: deps.requestId ?? crypto.randomUUID(), bookmarks: deps.remote?.sent ?? {} };
  let result: RoomSendResult | undefined;
  const failed = await tryWithBackoff(async () => {
    result = (await roomOf(deps.env, input.channelId).send(request)) as unknown as RoomSendResult;
  });
  if (failed || !result) throw failed?.error;
  deps.remote?.absorb(result.d1, result.bookmarks);
  if ("error" in result) throw new ApiError(result.error.code, result.error.message, result.error.details, result.error.headers);
  return result;
}

/** The room's side of `sendInRoom`: never throws (an unexpected failure becomes INTERNAL, logged). */
export async function runSend(room: RoomContext, request: RoomSendRequest): Promise<RoomSendResult> {
  const stats = emptyStats();
  const sessions = new RequestSessions(new Map(Object.entries(request.bookmarks)), false);
  const deps = roomDeps(room, stats, request.requestId, sessions);
  try {
    const sent = await room.order.alongsideOthers(() => sendMessage(deps, request, room.sends), sendOrderKeys(request));
    // A REST send answers once its message is in D1 (at most 5 s; then without a bookmark), so the
    // sender's next read, with the bookmark, sees it. The flush's cost is what this send waited for.
    const { seq } = sent as { seq?: number };
    const flushed = seq !== undefined ? await room.sends.wal.waitFor(seq) : undefined;
    if (flushed) addStats(stats, flushed.d1);
    return { message: sent.message, replayed: sent.replayed, d1: stats, bookmarks: { ...sessions.bookmarks(), ...flushed?.bookmarks } };
  } catch (err) {
    return { error: errorData(err, request.requestId, request.channelId), d1: stats, bookmarks: sessions.bookmarks() };
  }
}

/**
 * What a send waits on (ChangeOrder): its own message id (a retried call), its idempotency key (one
 * attempt per key at a time), and its thread's parent (a reply's `message_update` of the root).
 */
export function sendOrderKeys(input: SendInput): string[] {
  const keys: string[] = [];
  if (input.messageId) keys.push(messageKey(input.messageId));
  if (input.idempotencyKey) keys.push(`k:${input.senderId}:${input.idempotencyKey}`);
  if (input.parentId) keys.push(messageKey(input.parentId));
  return keys;
}

/** Deps for one send in the room, metered like a request's; `sessions` when the caller's bookmarks matter. */
export function roomDeps(room: RoomContext, stats: D1Stats, requestId: string, sessions?: RequestSessions): Deps {
  const { env } = room;
  const shards = new Map<string, HistoryDb>();
  const open = (name: string, binding: D1Database) => meterD1(sessions ? sessions.session(name, binding) : binding, stats);
  return {
    db: createDb(open("DB", env.DB)),
    history: (shard) => {
      let db = shards.get(shard);
      if (!db) shards.set(shard, (db = historyDb(open(shard, shardBinding(env, shard)))));
      return db;
    },
    env,
    requestId,
    waitUntil: room.waitUntil,
    localRoom: room.local,
    writeAhead: room.sends.wal,
  };
}

/** An error as data (an RPC carries no class): the REST error's code, message, details and headers. */
export function errorData(err: unknown, requestId: string, channelId: string): ErrorData {
  if (err instanceof ApiError) {
    const data: ErrorData = { code: err.code, message: err.message };
    if (err.details !== undefined) data.details = err.details;
    if (err.headers) data.headers = err.headers;
    return data;
  }
  console.error(JSON.stringify({ level: "error", request_id: requestId, realtime: "send", channel_id: channelId, error: String(err), stack: (err as Error)?.stack }));
  return { code: "INTERNAL", message: "Internal error", details: { request_id: requestId } };
}
