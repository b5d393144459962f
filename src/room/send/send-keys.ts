/**
 * Idempotency keys of a channel's sends, in the channel's room (DESIGN §4): scoped to (sender,
 * channel) because the room is the channel, kept 24 h. A key is recorded with its message id
 * *before* the message is stored, so a retry whose first attempt died half-way (the room reset
 * between storing and answering) finds the id and either answers with the stored message or sends
 * it under that same id; nothing can store a second copy. Sends naming one key run one at a time
 * (ChangeOrder), so no two attempts ever race on a key.
 */
export const SEND_KEY_TTL_MS = 24 * 60 * 60 * 1000;
/** Expired keys are deleted every this many recorded keys (not on each send). */
const PRUNE_EVERY = 100;

export class SendKeys {
  private recorded = 0;

  /** `sql` creates the room's tables on first use (`createTables` ran by then). */
  constructor(private readonly sql: () => SqlStorage) {}

  static createTables(sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS send_keys (
      sender_id TEXT NOT NULL, key TEXT NOT NULL, message_id TEXT NOT NULL, at INTEGER NOT NULL,
      PRIMARY KEY (sender_id, key)
    )`);
  }

  /** The message an earlier send with this key made (or began), if within 24 h. */
  find(senderId: string, key: string, now: number): string | undefined {
    const row = this.sql().exec<{ message_id: string; at: number }>("SELECT message_id, at FROM send_keys WHERE sender_id = ? AND key = ?", senderId, key).toArray()[0];
    return row && row.at > now - SEND_KEY_TTL_MS ? row.message_id : undefined;
  }

  record(senderId: string, key: string, messageId: string, now: number) {
    const sql = this.sql();
    sql.exec(
      "INSERT INTO send_keys (sender_id, key, message_id, at) VALUES (?, ?, ?, ?) ON CONFLICT (sender_id, key) DO UPDATE SET message_id = excluded.message_id, at = excluded.at",
      senderId,
      key,
      messageId,
      now,
    );
    if (++this.recorded % PRUNE_EVERY === 0) sql.exec("DELETE FROM send_keys WHERE at <= ?", now - SEND_KEY_TTL_MS);
  }

  /** A refused send leaves its key unused: the same key may send again. */
  release(senderId: string, key: string, messageId: string) {
    this.sql().exec("DELETE FROM send_keys WHERE sender_id = ? AND key = ? AND message_id = ?", senderId, key, messageId);
  }
}
