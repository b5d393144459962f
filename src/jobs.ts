import type { Env, Job, PurgeJob } from "./env";
import { consumeHubCalls } from "./realtime/hubs";
import type { HubCalls } from "./room/protocol";
import { purgeDeletedChannel } from "./features/channels/purge";
import { ensureIdNode } from "./platform/id-registry";
import { type RoomCall, consumeRoomCalls } from "./realtime/notify";

/** The JOBS queue's consumer (wrangler.toml): room calls keep their order; hub calls; purges run one chunk each. */
export async function jobs(batch: MessageBatch<Job>, env: Env): Promise<void> {
  await ensureIdNode(env);
  const roomCalls = batch.messages.filter((m): m is Message<RoomCall> => m.body.kind !== "purge" && m.body.kind !== "hubs");
  await consumeRoomCalls(roomCalls, env);
  await consumeHubCalls(batch.messages.filter((m): m is Message<HubCalls> => m.body.kind === "hubs"), env);
  for (const message of batch.messages.filter((m): m is Message<PurgeJob> => m.body.kind === "purge")) {
    try {
      await purgeDeletedChannel(env, message.body.channelId);
      message.ack();
    } catch (err) {
      console.error(JSON.stringify({ level: "warn", queue: "jobs", job: "purge", error: String(err) }));
      message.retry({ delaySeconds: 30 });
    }
  }
}
