/**
 * Room calls from the JOBS queue (handed over by src/realtime/notify.ts after the request's own
 * retries). Only what failed is retried: a failing room holds back its own channel, never the others
 * of the batch. A channel's order is kept: once one of its calls failed, its later calls in the batch
 * are retried with it (same delay, so they come back together); once it has dead letters, its calls
 * join the back of that line instead of overtaking it (src/realtime/dead-letters.ts).
 */
import type { Env } from "../env";
import { createDb } from "../platform/db";
import type { RoomCall } from "../room/protocol";
import { deadLetter } from "./dead-letters";
import { channelsWithDeadLetters } from "./dead-letters.queries";
import { performRoomCall } from "./notify";

/**
 * Deliveries of one JOBS message: max_retries (wrangler.toml, edge-chat-jobs) + 1. On the last, a
 * failing room call is dead-lettered here, in order with its channel's later calls of the batch,
 * rather than by the queue (which would forward it to the dead queue on its own, unordered).
 */
export const JOBS_ATTEMPTS = 11;

/** ROOM_CALL_RETRY_SECONDS (default 1) times the attempt, at most a minute: about a minute in all. */
export const jobsRetryDelay = (env: Env, attempts: number) => Math.min(60, Number(env.ROOM_CALL_RETRY_SECONDS ?? 1) * attempts);

export async function consumeRoomCalls(messages: readonly Message<RoomCall>[], env: Env) {
  if (!messages.length) return;
  const dead = await channelsWithDeadLetters(createDb(env.DB), [...new Set(messages.map((m) => m.body.channelId))]);
  /** Channels with a call retried in this batch, and its delay. */
  const held = new Map<string, number>();
  const toLine: Message<RoomCall>[] = [];
  let lastError = "behind the channel's dead letters";
  for (const message of messages) {
    const { channelId } = message.body;
    if (dead.has(channelId)) {
      toLine.push(message);
      continue;
    }
    const delay = held.get(channelId);
    if (delay !== undefined) {
      message.retry({ delaySeconds: delay });
      continue;
    }
    try {
      await performRoomCall(env, message.body);
      message.ack();
    } catch (err) {
      console.error(JSON.stringify({ level: "warn", queue: "jobs", channel_id: channelId, attempt: message.attempts, error: String(err) }));
      if (message.attempts >= JOBS_ATTEMPTS) {
        lastError = String(err);
        dead.add(channelId);
        toLine.push(message);
        continue;
      }
      const delaySeconds = jobsRetryDelay(env, message.attempts);
      held.set(channelId, delaySeconds);
      message.retry({ delaySeconds });
    }
  }
  // Acked only once stored: if D1 or the dead queue refuses, the handler throws and they come back.
  await deadLetter(env, toLine.map((m) => m.body), lastError);
  for (const message of toLine) message.ack();
}
