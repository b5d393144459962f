import type { DeadJob, Env, Job, PurgeJob } from "./env";
import { consumeHubCalls } from "./realtime/hubs";
import type { HubCalls } from "./room/protocol";
import { purgeDeletedChannel } from "./features/channels/purge";
import { ensureIdNode } from "./platform/id-registry";
import type { RoomCall } from "./realtime/notify";
import { consumeRoomCalls, jobsRetryDelay } from "./realtime/room-call-queue";
import { consumeDeadLetters, deadLetterDelay } from "./realtime/dead-letters";

const isHubCalls = (m: Message<DeadJob>): m is Message<HubCalls> => m.body.kind === "hubs";
const isPurge = (m: Message<DeadJob>): m is Message<PurgeJob> => m.body.kind === "purge";

/** The JOBS queue's consumer (wrangler.toml): room calls keep their order; hub calls; purges run one chunk each. */
export async function jobs(batch: MessageBatch<Job>, env: Env): Promise<void> {
  await ensureIdNode(env);
  await consumeRoomCalls(batch.messages.filter((m): m is Message<RoomCall> => !isHubCalls(m) && !isPurge(m)), env);
  await consumeHubCalls(batch.messages.filter(isHubCalls), env, (attempts) => jobsRetryDelay(env, attempts));
  await consumePurges(batch.messages.filter(isPurge), () => 30, env);
}

/**
 * The dead queue's consumer (JOBS_DEAD, edge-chat-jobs-dead): room calls go through their dead-letter
 * line (kept in D1 until delivered); hub calls and purges, which have no order to keep, are retried
 * by the queue with the same long backoff (purges are also restarted by the hourly cron).
 */
export async function deadJobs(batch: MessageBatch<DeadJob>, env: Env): Promise<void> {
  await ensureIdNode(env);
  const delay = (attempts: number) => deadLetterDelay(env, attempts);
  await consumeDeadLetters(batch.messages.filter((m) => !isHubCalls(m) && !isPurge(m)), env);
  await consumeHubCalls(batch.messages.filter(isHubCalls), env, delay);
  await consumePurges(batch.messages.filter(isPurge), delay, env);
}

async function consumePurges(messages: Message<PurgeJob>[], delay: (attempts: number) => number, env: Env) {
  for (const message of messages) {
    try {
      await purgeDeletedChannel(env, message.body.channelId);
      message.ack();
    } catch (err) {
      console.error(JSON.stringify({ level: "warn", queue: "jobs", job: "purge", error: String(err) }));
      message.retry({ delaySeconds: delay(message.attempts) });
    }
  }
}
