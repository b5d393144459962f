/** Deleting a channel's history after the channel itself is gone: bounded chunks, one per job. */
import type { Env } from "../../env";
import { purgeChannelHistory } from "../../history";
import { createDb } from "../../platform/db";
import { plainHistory } from "../../platform/shards";
import { deletedChannelShard, dropDeletedChannel, findDeletedChannels } from "./channels.queries";

/** Messages (with their reactions and upload links) removed per job: a few hundred ms of D1 work. */
export const PURGE_CHUNK = 500;

/** One chunk; queues the next while history remains, then removes the channel row itself. */
export async function purgeDeletedChannel(env: Env, channelId: string) {
  const db = createDb(env.DB);
  const shard = await deletedChannelShard(db, channelId);
  if (!shard) return; // already gone
  const removed = await purgeChannelHistory(plainHistory(env)(shard), channelId, PURGE_CHUNK);
  if (removed === PURGE_CHUNK) await env.JOBS.send({ kind: "purge", channelId }, { contentType: "json" });
  else await dropDeletedChannel(db, channelId);
}

/** Cron safety net: purges that were never queued (or failed for good) are started again. */
export async function resumePurges(env: Env, olderThan: number) {
  const ids = await findDeletedChannels(createDb(env.DB), olderThan, 100);
  if (ids.length) await env.JOBS.sendBatch(ids.map((channelId) => ({ body: { kind: "purge" as const, channelId }, contentType: "json" as const })));
  return ids.length;
}
