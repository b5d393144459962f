/**
 * Scheduled messages (DESIGN §18), the Worker's side: the checks a request alone decides (the time
 * window, the author's limit), then the channel's room, which decides and keeps them
 * (src/room/scheduled/). The author's list reads the directory.
 */
import type { Deps } from "../../env";
import { ApiError, channelNotFound } from "../../platform/errors";
import { ensureIdNode } from "../../platform/id-registry";
import { isId, newId } from "../../platform/ids";
import { roomOf } from "../../realtime/notify";
import { tryWithBackoff } from "../../realtime/retry";
import type { RoomAnswer, ScheduledCall, ScheduledEdit, SendInput } from "../../room/wire";
import { countPending, deleteScheduled, getScheduled, listScheduled as listRows, releaseScheduledClaims } from "./scheduled.queries";
import { MAX_AHEAD_MS, MAX_SCHEDULED_PER_USER, MIN_AHEAD_MS, type ScheduledJson, scheduledJson } from "./scheduled.schemas";

const notFound = (id: string) => new ApiError("CHAT_SCHEDULED_NOT_FOUND", `Scheduled message ${id} not found (sent, cancelled, or not yours)`);

/** `send_at` must be 10 s to 30 days after the request (a 400 naming the field otherwise). */
export function checkSendAt(sendAt: number, now = Date.now()) {
  if (Number.isFinite(sendAt) && sendAt >= now + MIN_AHEAD_MS && sendAt <= now + MAX_AHEAD_MS) return;
  throw new ApiError("VALIDATION_FAILED", "send_at must be 10 seconds to 30 days from now", [
    { in: "json", path: "send_at", code: "out_of_range", message: `between ${Math.ceil((now + MIN_AHEAD_MS) / 1000)} and ${Math.floor((now + MAX_AHEAD_MS) / 1000)} (unix seconds)` },
  ]);
}

/** Schedules a send for `sendAt`: 202 with the scheduled message (the room refuses what could not be sent now). */
export async function scheduleMessage(deps: Deps, input: SendInput, sendAt: number): Promise<ScheduledJson> {
  checkSendAt(sendAt);
  if (!isId(input.channelId)) throw channelNotFound();
  if ((await countPending(deps.db, input.senderId)) >= MAX_SCHEDULED_PER_USER) {
    throw new ApiError("CHAT_TOO_MANY_SCHEDULED", `You have ${MAX_SCHEDULED_PER_USER} scheduled messages waiting (the limit): cancel one or wait until one is sent`);
  }
  await ensureIdNode(deps.env);
  const value = await callRoom(deps, { op: "create", requestId: requestId(deps), channelId: input.channelId, scheduledId: newId(Date.now()), sendAt, input });
  return value!.scheduled_message;
}

export async function listScheduled(deps: Deps, me: string) {
  return { scheduled_messages: (await listRows(deps.db, me)).map(scheduledJson) };
}

/** The author edits a pending one (a failed one: 409). */
export async function editScheduled(deps: Deps, me: string, id: string, edit: ScheduledEdit): Promise<ScheduledJson> {
  if (edit.sendAt !== undefined) checkSendAt(edit.sendAt);
  const row = await getScheduled(deps.db, id);
  if (!row || row.authorId !== me) throw notFound(id);
  const value = await callRoom(deps, { op: "edit", requestId: requestId(deps), channelId: row.channelId, scheduledId: id, userId: me, edit });
  return value!.scheduled_message;
}

/**
 * The author cancels a pending one (its room decides, so it is never sent after this answers) or
 * removes a failed one from the list (the room has let go of it already). Either way its uploads are free.
 */
export async function cancelScheduled(deps: Deps, me: string, id: string) {
  const row = await getScheduled(deps.db, id);
  if (!row || row.authorId !== me) throw notFound(id);
  if (row.status === "failed") {
    await deps.db.batch([deleteScheduled(deps.db, id), releaseScheduledClaims(deps.db, id)]);
    return;
  }
  await callRoom(deps, { op: "cancel", requestId: requestId(deps), channelId: row.channelId, scheduledId: id, userId: me });
}

const requestId = (deps: Deps) => deps.requestId ?? crypto.randomUUID();

/** One call to the channel's room, retried while the room is unreachable (each call is idempotent by its id). */
async function callRoom(deps: Deps, call: ScheduledCall) {
  let result: RoomAnswer<{ value: { scheduled_message: ScheduledJson } | null }> | undefined;
  const failed = await tryWithBackoff(async () => {
    result = (await roomOf(deps.env, call.channelId).scheduledMessage(call)) as unknown as typeof result;
  });
  if (failed || !result) throw failed?.error;
  deps.remote?.absorb(result.d1, result.bookmarks);
  if ("error" in result) throw new ApiError(result.error.code, result.error.message, result.error.details, result.error.headers);
  return result.value;
}
