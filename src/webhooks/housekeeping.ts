/** The hourly cron's share of webhook work: bounded steps, so a huge log never makes a huge statement. */
import type { Env } from "../env";
import { createDb } from "../platform/db";
import { dropDeletedWebhooks, purgeDeliveries, takeOverdue } from "./deliveries.queries";
import { MAX_ATTEMPTS } from "./deliver";
import type { WebhookJob } from "./dispatch";

/** The delivery log keeps a week. */
export const DELIVERY_LOG_MS = 7 * 24 * 60 * 60 * 1000;
/** A pending delivery this late past its due time lost its queue message (or its consumer died). */
const OVERDUE_MS = 15 * 60 * 1000;
const CHUNK = 500;

export async function webhookHousekeeping(env: Env, now: number) {
  const db = createDb(env.DB);
  let purged = 0;
  for (let round = 0; round < 20; round++) {
    const n = await purgeDeliveries(db, now - DELIVERY_LOG_MS, CHUNK);
    purged += n;
    if (n === 0) break;
  }
  await dropDeletedWebhooks(db);
  const resumed = await takeOverdue(db, now - OVERDUE_MS, MAX_ATTEMPTS, now, 100);
  if (resumed.length) {
    await env.WEBHOOKS.sendBatch(resumed.map((r) => ({ body: { deliveryId: r.id, webhookId: r.webhookId } satisfies WebhookJob, contentType: "json" as const })));
  }
  return { webhook_deliveries_purged: purged, webhook_deliveries_resumed: resumed.length };
}
