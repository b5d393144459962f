/**
 * The hourly cron's upload cleanup: uploads never attached to a message after 24 h, and retired ones
 * (of deleted messages and channels). Three steps per chunk, in this order so that no upload a send
 * has claimed loses its bytes, and no bytes outlive their row:
 *   find candidates → retire those still orphaned (one conditional write) → delete their bytes, then rows.
 */
import type { Db, Env } from "../../env";
import { deleteAttachments, findOrphans, retireOrphans } from "./attachments.queries";
import { ORPHAN_AGE_MS } from "./limits";
import { deleteObjects } from "./storage";

/** Candidates per chunk: one statement's worth of ids (D1 binds at most 100 parameters). */
export const ORPHAN_CHUNK = 100;
/**
 * Wall time one cron run spends on orphans before it leaves the rest to the next hour. A chunk takes a
 * few hundred ms, so this clears tens of thousands an hour and leaves the run (15 minutes for an hourly
 * Cron Trigger) ample room for the housekeeping after it.
 */
export const ORPHAN_BUDGET_MS = 2 * 60 * 1000;

export { findOrphans, retireOrphans };

/** Deletes retired uploads: bytes first (a failure leaves the row, so the next run tries again), then rows. */
export async function removeRetired(env: Env, db: Db, ids: string[]) {
  await deleteObjects(env, ids);
  await deleteAttachments(db, ids);
}

/**
 * Chunks until no orphan is left or the budget is spent (whichever first); returns how many went.
 * `clock` is injectable so a test can spend the budget without waiting for it.
 */
export async function sweepOrphans(env: Env, db: Db, now: number, budgetMs = ORPHAN_BUDGET_MS, clock = Date.now) {
  const cutoff = now - ORPHAN_AGE_MS;
  const deadline = clock() + budgetMs;
  let removed = 0;
  try {
    do {
      const candidates = await findOrphans(db, cutoff, ORPHAN_CHUNK);
      const retired = await retireOrphans(db, candidates, cutoff);
      await removeRetired(env, db, retired);
      removed += retired.length;
      if (candidates.length < ORPHAN_CHUNK) break; // that was the last of them
    } while (clock() < deadline);
  } catch (err) {
    // R2 or D1 failing: what is retired stays retired for the next run; the rest of the housekeeping goes on.
    console.error(JSON.stringify({ level: "warn", cron: "orphan_uploads", removed, error: String(err) }));
  }
  return removed;
}
