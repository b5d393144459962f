import { createDb } from "./db";
import { purgeExpiredIdempotencyKeys } from "./db/history/messages";
import type { Env } from "./env";

/** Cron Triggers (wrangler.toml `[triggers]`): housekeeping that no request should pay for. */
export async function scheduled(_controller: ScheduledController, env: Env): Promise<void> {
  const db = createDb(env.DB);
  const keys = await purgeExpiredIdempotencyKeys(db, Date.now());
  if (env.LOG_LEVEL !== "silent") console.log(JSON.stringify({ cron: "housekeeping", idempotency_keys_purged: keys }));
}
