import type { DeadJob, EraseJob, Env, ExportJob, Job, PurgeJob } from "./env";
import { failExport, runExport } from "./features/exports/run";
import { runErasure } from "./features/erasure/erase";
import { consumeHubCalls } from "./realtime/hubs";
import type { HubCalls } from "./room/protocol";
import { purgeDeletedChannel } from "./features/channels/purge";
import { ensureIdNode } from "./platform/id-registry";
import type { RoomCall } from "./realtime/notify";
import { consumeRoomCalls, jobsRetryDelay } from "./realtime/room-call-queue";
import { consumeDeadLetters, deadLetterDelay } from "./realtime/dead-letters";

const isHubCalls = (m: Message<DeadJob>): m is Message<HubCalls> => m.body.kind === "hubs";
const isPurge = (m: Message<DeadJob>): m is Message<PurgeJob> => m.body.kind === "purge";
const isErase = (m: Message<DeadJob>): m is Message<EraseJob> => m.body.kind === "erase";
const isExport = (m: Message<DeadJob>): m is Message<ExportJob> => m.body.kind === "export";
const isRoomCall = (m: Message<DeadJob>): m is Message<RoomCall> => !isHubCalls(m) && !isPurge(m) && !isErase(m) && !isExport(m);

/** The JOBS queue's consumer (wrangler.toml): room calls keep their order; hub calls; purges run one chunk each. */
export async function jobs(batch: MessageBatch<Job>, env: Env): Promise<void> {
  await ensureIdNode(env);
  await consumeRoomCalls(batch.messages.filter(isRoomCall), env);
  await consumeHubCalls(batch.messages.filter(isHubCalls), env, (attempts) => jobsRetryDelay(env, attempts));
  await consumePurges(batch.messages.filter(isPurge), () => 30, env);
  await consumeErasures(batch.messages.filter(isErase), () => 30, env);
  await consumeExports(batch.messages.filter(isExport), () => 30, env);
}

/**
 * The dead queue's consumer (JOBS_DEAD, edge-chat-jobs-dead): room calls go through their dead-letter
 * line (kept in D1 until delivered); hub calls and purges, which have no order to keep, are retried
 * by the queue with the same long backoff (purges are also restarted by the hourly cron).
 */
export async function deadJobs(batch: MessageBatch<DeadJob>, env: Env): Promise<void> {
  await ensureIdNode(env);
  const delay = (attempts: number) => deadLetterDelay(env, attempts);
  // Room calls and drains (everything else is one of the three kinds below).
  await consumeDeadLetters(batch.messages.filter((m) => !isHubCalls(m) && !isPurge(m) && !isErase(m) && !isExport(m)), env);
  await consumeHubCalls(batch.messages.filter(isHubCalls), env, delay);
  await consumePurges(batch.messages.filter(isPurge), delay, env);
  await consumeErasures(batch.messages.filter(isErase), delay, env);
  await consumeExports(batch.messages.filter(isExport), delay, env, true);
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

/** Erasures: one time-bounded run per message; a run that stops early has queued the next itself. */
async function consumeErasures(messages: Message<EraseJob>[], delay: (attempts: number) => number, env: Env) {
  for (const message of messages) {
    try {
      await runErasure(env, message.body.pseudonym);
      message.ack();
    } catch (err) {
      console.error(JSON.stringify({ level: "warn", queue: "jobs", job: "erase", error: String(err), stack: (err as Error).stack }));
      message.retry({ delaySeconds: delay(message.attempts) });
    }
  }
}

/** Export runs: one bounded part per message. On the dead queue's last attempt the export is marked failed. */
async function consumeExports(messages: Message<ExportJob>[], delay: (attempts: number) => number, env: Env, dead = false) {
  for (const message of messages) {
    try {
      await runExport(env, message.body.id);
      message.ack();
    } catch (err) {
      console.error(JSON.stringify({ level: "warn", queue: "jobs", job: "export", error: String(err), stack: (err as Error).stack }));
      if (dead && message.attempts >= EXPORT_DEAD_ATTEMPTS) {
        await failExport(env, message.body.id, String(err));
        message.ack();
      } else message.retry({ delaySeconds: delay(message.attempts) });
    }
  }
}

/** Attempts on the dead queue (after JOBS' own) before an export is given up as failed. */
const EXPORT_DEAD_ATTEMPTS = 3;
