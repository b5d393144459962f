/** Deleting a channel's history and files after the channel itself is gone: bounded chunks, one per job. */
import type { Env } from "../../env";
import { retireMessageUploads } from "../attachments/attachments.queries";
import { removeRetired } from "../attachments/orphans";
import { deleteMessages, nextPurgeChunk } from "../../history";
import { createDb } from "../../platform/db";
import { plainHistory } from "../../platform/shards";
import { deletedChannelShard, dropDeletedChannel, findDeletedChannels } from "./channels.queries";

/** Messages (with their reactions and uploads) removed per job: a few hundred ms of D1 work. */
export const PURGE_CHUNK = 500;

/**
 * One chunk; queues the next while history remains, then removes the channel row itself. A chunk's
 * uploads are retired before its messages go (from then on no signed URL serves them), so a purge
 * that stops between the two leaves them to the hourly cron, which deletes every retired upload,
 * rather than to no one. Their bytes and rows go right after the messages.
 */
export async function purgeDeletedChannel(env: Env, channelId: string) {
  const db = createDb(env.DB);
  const shard = await deletedChannelShard(db, channelId);
  if (!shard) return; // already gone
  const history = plainHistory(env)(shard);
  const ids = await nextPurgeChunk(history, channelId, PURGE_CHUNK);
  const uploads = await retireMessageUploads(db, ids);
  await deleteMessages(history, ids);
  try {
    await removeRetired(env, db, uploads);
  } catch (err) {
    // Retired rows stay behind for the cron; the purge itself goes on.
    console.error(JSON.stringify({ level: "warn", purge: channelId, cleanup: "uploads", error: String(err) }));
  }
  if (ids.length === PURGE_CHUNK) await env.JOBS.send({ kind: "purge", channelId }, { contentType: "json" });
  else await dropDeletedChannel(db, channelId);
}

/** Cron safety net: purges that were never queued (or failed for good) are started again. */
export async function resumePurges(env: Env, olderThan: number) {
  const ids = await findDeletedChannels(createDb(env.DB), olderThan, 100);
  if (ids.length) await env.JOBS.sendBatch(ids.map((channelId) => ({ body: { kind: "purge" as const, channelId }, contentType: "json" as const })));
  return ids.length;
}
