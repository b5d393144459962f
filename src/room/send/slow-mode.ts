/**
 * Slow mode (DESIGN §15), kept where sends are decided: when each sender last posted a top-level
 * message in this channel, in the room's own storage (a restart or an eviction does not reset anyone's
 * wait). Checked and recorded in the send's synchronous accept step, so two sends of one member
 * racing each other cannot both pass.
 */
import { ApiError } from "../../platform/errors";

/** Rows older than the longest slow mode (6 h) are pruned every this many records. */
const PRUNE_EVERY = 200;
const LONGEST_MS = 21_600_000;

export class SlowMode {
  private recorded = 0;

  constructor(private readonly sql: () => SqlStorage) {}

  static createTables(sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS slow_mode_sends (sender_id TEXT PRIMARY KEY, at INTEGER NOT NULL)");
  }

  /** Throws 429 CHAT_SLOW_MODE (Retry-After in whole seconds) while `senderId` must still wait. */
  check(senderId: string, intervalMs: number, now: number) {
    const row = this.sql().exec<{ at: number }>("SELECT at FROM slow_mode_sends WHERE sender_id = ?", senderId).toArray()[0];
    const wait = row ? row.at + intervalMs - now : 0;
    if (wait > 0) {
      const retry = Math.ceil(wait / 1000);
      throw new ApiError("CHAT_SLOW_MODE", `Slow mode is on: you can post again in ${retry} s`, { retry_after: retry }, { "Retry-After": String(retry) });
    }
  }

  record(senderId: string, now: number) {
    const sql = this.sql();
    sql.exec("INSERT INTO slow_mode_sends (sender_id, at) VALUES (?, ?) ON CONFLICT (sender_id) DO UPDATE SET at = excluded.at", senderId, now);
    if (++this.recorded % PRUNE_EVERY === 0) sql.exec("DELETE FROM slow_mode_sends WHERE at <= ?", now - LONGEST_MS);
  }
}
