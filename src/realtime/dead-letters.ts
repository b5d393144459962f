/**
 * The dead-letter line (issue #25): room calls the JOBS queue gave up on wait in D1 (`dead_letters`),
 * per channel in the order they died, and are retried from the `edge-chat-jobs-dead` queue with a
 * long, capped backoff until their room takes them — nothing is dropped, however long a room is down.
 * While a channel has a line, its later queued calls join the back of it (src/realtime/room-call-queue.ts),
 * so the channel still gets its events in order once the room is back.
 *
 * The queue carries no state: a `drain` message only says "try this channel's line now"; the rows are
 * the truth. A failed drain sends a fresh `drain` with the next delay (not `message.retry`), so a line
 * outlives the dead queue's max_retries and its retention.
 */
import type { DeadJob, DrainJob, Env } from "../env";
import { createDb } from "../platform/db";
import type { RoomCall } from "../room/protocol";
import { channelLine, noteFailure, removeDeadLetter, storeDeadLetters } from "./dead-letters.queries";
import { performRoomCall } from "./notify";

/** First delay and cap (seconds): 1 min, doubling per failed attempt, at most 15 min. DEAD_LETTER_RETRY_SECONDS="first,cap" overrides (tests: "1,1"). */
const DEFAULT_DELAYS = [60, 900] as const;

export function deadLetterDelay(env: Env, attempts: number): number {
  // Empty (wrangler.toml's default) or a missing number falls back to the default.
  const [first, cap] = (env.DEAD_LETTER_RETRY_SECONDS ?? "").split(",").map((v) => (v.trim() === "" ? NaN : Number(v)));
  const base = Number.isFinite(first) ? first! : DEFAULT_DELAYS[0];
  const max = Number.isFinite(cap) ? cap! : DEFAULT_DELAYS[1];
  return Math.min(max, base * 2 ** Math.max(0, attempts - 1));
}

/** A drain that arrives this much before its line's `retry_at` stands aside: another one is scheduled. */
const EARLY_MS = 1_000;

const drainOf = (channelId: string): DrainJob => ({ kind: "drain", channelId });

/**
 * Puts calls at the back of their channels' lines and schedules a drain of each channel (a line's
 * pending drain may have just emptied it and gone). Throws if D1 or the queue refuses: the caller
 * must not ack then.
 */
export async function deadLetter(env: Env, calls: RoomCall[], error: string) {
  if (!calls.length) return;
  await storeDeadLetters(createDb(env.DB), calls, error);
  const channels = [...new Set(calls.map((c) => c.channelId))];
  await env.JOBS_DEAD.sendBatch(channels.map((channelId) => ({ body: drainOf(channelId), contentType: "json" as const, delaySeconds: deadLetterDelay(env, 1) })));
  console.error(JSON.stringify({ level: "warn", queue: "jobs", event: "dead-lettered", calls: calls.length, channels, error }));
}

/**
 * Delivers a channel's line in order, deleting each call once its room took it, and stops at the
 * first failure. Returns the delay before the next attempt when this drain re-armed the line.
 */
async function drain(env: Env, channelId: string): Promise<number | undefined> {
  const db = createDb(env.DB);
  const line = await channelLine(db, channelId);
  if (!line.length || line[0]!.retryAt - Date.now() > EARLY_MS) return undefined;
  for (const row of line) {
    try {
      await performRoomCall(env, row.call as RoomCall);
    } catch (err) {
      const delaySeconds = deadLetterDelay(env, row.attempts + 1);
      const rearmed = await noteFailure(db, row.id, row.attempts, Date.now() + delaySeconds * 1000, String(err));
      console.error(JSON.stringify({ level: "warn", queue: "jobs-dead", channel_id: channelId, waiting: line.length, attempt: row.attempts + 1, error: String(err) }));
      return rearmed ? delaySeconds : undefined;
    }
    await removeDeadLetter(db, row.id);
  }
  return undefined;
}

const isRoomCall = (m: Message<DeadJob>): m is Message<RoomCall> => m.body.kind === "publish" || m.body.kind === "remove" || m.body.kind === "delete";

/**
 * The dead queue's room calls and drains. A room call arriving here was dead-lettered by the queue
 * itself (the JOBS consumer failed on its last attempt without storing it): it joins its line first.
 * Every channel named is drained once; those still blocked get one fresh drain, then all is acked.
 */
export async function consumeDeadLetters(messages: readonly Message<DeadJob>[], env: Env) {
  const calls = messages.filter(isRoomCall);
  if (calls.length) await storeDeadLetters(createDb(env.DB), calls.map((m) => m.body), "dead-lettered by the queue");
  const channels = [...new Set(messages.map((m) => (m.body as RoomCall | DrainJob).channelId))];
  const again: { channelId: string; delaySeconds: number }[] = [];
  for (const channelId of channels) {
    const delaySeconds = await drain(env, channelId);
    if (delaySeconds !== undefined) again.push({ channelId, delaySeconds });
  }
  if (again.length) await env.JOBS_DEAD.sendBatch(again.map(({ channelId, delaySeconds }) => ({ body: drainOf(channelId), contentType: "json" as const, delaySeconds })));
  for (const message of messages) message.ack();
}
