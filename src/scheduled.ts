import { createDb } from "./platform/db";
import { deleteAttachments, findOrphans } from "./features/attachments/attachments.queries";
import { deleteObjects } from "./features/attachments/storage";
import { ensureIdNode } from "./platform/id-registry";
import type { Env } from "./env";
import { resumePurges } from "./features/channels/purge";
import { webhookHousekeeping } from "./webhooks/housekeeping";

const ORPHAN_AGE_MS = 24 * 60 * 60 * 1000;
const ORPHAN_BATCH = 100; // D1 binds at most 100 parameters per statement

/** Cron Triggers (wrangler.toml `[triggers]`): housekeeping that no request should pay for. */
export async function scheduled(_controller: ScheduledController, env: Env): Promise<void> {
  await ensureIdNode(env);
  const db = createDb(env.DB);
  const now = Date.now();
  // Uploads never attached to a message (and those of deleted channels) go after 24 h: bytes, then rows.
  let orphans = 0;
  for (let round = 0; round < 10; round++) {
    const ids = await findOrphans(db, now - ORPHAN_AGE_MS, ORPHAN_BATCH);
    if (ids.length === 0) break;
    await deleteObjects(env, ids);
    await deleteAttachments(db, ids);
    orphans += ids.length;
  }
  // Deleted channels whose history purge should have finished an hour ago are queued again.
  const purges = await resumePurges(env, now - 60 * 60 * 1000);
  // Delivery logs older than a week go; deliveries whose queue message was lost are queued again.
  const webhooks = await webhookHousekeeping(env, now);
  if (env.LOG_LEVEL !== "silent") {
    console.log(JSON.stringify({ cron: "housekeeping", orphan_uploads_deleted: orphans, purges_resumed: purges, ...webhooks }));
  }
}
