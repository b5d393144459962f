import type { Db, Env } from "../../env";
import { queueErasure } from "./erase";
import { unfinishedErasures } from "./erasure.queries";

/**
 * Cron safety net (hourly): every unfinished erasure is queued again, those whose job was lost and
 * those waiting on a legal hold (a released hold lets the run finish). Runs are idempotent, so one
 * queued twice costs a little work, never a wrong result.
 */
export async function resumeErasures(env: Env, db: Db) {
  const rows = await unfinishedErasures(db, 100);
  for (const r of rows) await queueErasure(env, r.pseudonym);
  return rows.length;
}
