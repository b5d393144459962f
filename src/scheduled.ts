import { createDb } from "./platform/db";
import { sweepOrphans } from "./features/attachments/orphans";
import { ensureIdNode } from "./platform/id-registry";
import type { Env } from "./env";
import { resumePurges } from "./features/channels/purge";
import { webhookHousekeeping } from "./webhooks/housekeeping";
import { sweepRetention } from "./features/retention/sweep";
import { pruneCache } from "./previews/cache";
import { pruneWindows } from "./push/recipients.queries";
import { resumeErasures } from "./features/erasure/resume";

/**
 * Cron Triggers (wrangler.toml `[triggers]`): housekeeping that no request should pay for. Locally
 * `npm start` runs `wrangler dev --test-scheduled`, so `GET /__scheduled` runs it at once.
 */
export async function scheduled(_controller: ScheduledController, env: Env): Promise<void> {
  await ensureIdNode(env);
  const db = createDb(env.DB);
  const now = Date.now();
  // Uploads never attached to a message after 24 h, and those of deleted messages and channels: the whole
  // backlog, chunk by chunk, within a time budget (src/features/attachments/orphans.ts).
  const orphans = await sweepOrphans(env, db, now);
  // Deleted channels whose history purge should have finished an hour ago are queued again.
  const purges = await resumePurges(env, now - 60 * 60 * 1000);
  // Delivery logs older than a week go; deliveries whose queue message was lost are queued again.
  const webhooks = await webhookHousekeeping(env, now);
  // Messages past their channel's retention (DESIGN §17), every shard, within a time budget.
  const retention = await sweepRetention(env, db, now);
  // Link previews cached more than 24 h ago would be fetched again anyway (src/previews/cache.ts).
  await pruneCache(db, now);
  // Push coalescing windows long over (src/push/recipients.queries.ts).
  await pruneWindows(env.DB, now);
  // Erasures that stopped, and those waiting on a legal hold (released ones then finish), run again.
  const erasures = await resumeErasures(env, db);
  if (env.LOG_LEVEL !== "silent") {
    console.log(JSON.stringify({ cron: "housekeeping", orphan_uploads_deleted: orphans, purges_resumed: purges, ...webhooks, retention, erasures_resumed: erasures }));
  }
}
