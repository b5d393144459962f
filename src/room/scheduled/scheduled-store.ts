/**
 * The room's own copy of its channel's scheduled messages (DESIGN §18): what its alarm sends. One
 * row per scheduled message; `due_at` is when the room next acts on it (its `send_at`, or a retry).
 * `state` pending: waiting for its time; sent / failed: decided, the directory not told yet (the
 * row goes once it is). The earliest `due_at` is kept in memory: the alarm is armed for it alone.
 */
import type { SendInput } from "../wire";

export type ScheduledState = "pending" | "sent" | "failed";

export interface ScheduledEntry {
  id: string;
  authorId: string;
  sendAt: number;
  dueAt: number;
  /** The send, as it will run at its time (no messageId: minted then). */
  input: SendInput;
  /** Minted just before the first attempt: a retry after a restart finds the message it made. */
  messageId: string | null;
  attempts: number;
  state: ScheduledState;
  code: string | null;
  createdAt: number;
}

interface Row extends Record<string, SqlStorageValue> {
  id: string;
  author_id: string;
  send_at: number;
  due_at: number;
  input: string;
  message_id: string | null;
  attempts: number;
  state: string;
  code: string | null;
  created_at: number;
}

const entry = (r: Row): ScheduledEntry => ({
  id: r.id,
  authorId: r.author_id,
  sendAt: r.send_at,
  dueAt: r.due_at,
  input: JSON.parse(r.input) as SendInput,
  messageId: r.message_id,
  attempts: r.attempts,
  state: r.state as ScheduledState,
  code: r.code,
  createdAt: r.created_at,
});

export class ScheduledStore {
  /** The earliest due_at (null: nothing scheduled; undefined: not read since this instance started). */
  private earliest: number | null | undefined;

  constructor(private readonly sql: () => SqlStorage) {}

  static createTables(sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS scheduled (id TEXT PRIMARY KEY, author_id TEXT NOT NULL, send_at INTEGER NOT NULL, due_at INTEGER NOT NULL,
      input TEXT NOT NULL, message_id TEXT, attempts INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL DEFAULT 'pending', code TEXT, created_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS scheduled_due ON scheduled (due_at)`);
  }

  /** The earliest time anything here is due (one indexed read per instance, then kept current). */
  nextDue(): number | null {
    if (this.earliest === undefined) this.earliest = this.sql().exec<{ at: number | null }>("SELECT min(due_at) AS at FROM scheduled").one().at;
    return this.earliest;
  }

  get(id: string): ScheduledEntry | undefined {
    const row = this.sql().exec<Row>("SELECT * FROM scheduled WHERE id = ?", id).toArray()[0];
    return row && entry(row);
  }

  /** Up to `limit` entries due by `now`, earliest first. */
  due(now: number, limit: number): ScheduledEntry[] {
    return this.sql().exec<Row>("SELECT * FROM scheduled WHERE due_at <= ? ORDER BY due_at, id LIMIT ?", now, limit).toArray().map(entry);
  }

  put(e: ScheduledEntry) {
    this.sql().exec(
      "INSERT OR REPLACE INTO scheduled (id, author_id, send_at, due_at, input, message_id, attempts, state, code, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      e.id, e.authorId, e.sendAt, e.dueAt, JSON.stringify(e.input), e.messageId, e.attempts, e.state, e.code, e.createdAt,
    );
    this.earliest = undefined;
  }

  remove(id: string) {
    this.sql().exec("DELETE FROM scheduled WHERE id = ?", id);
    this.earliest = undefined;
  }

  /** Every entry (a deleted channel fails them all). */
  all(): ScheduledEntry[] {
    return this.sql().exec<Row>("SELECT * FROM scheduled").toArray().map(entry);
  }

  /** Forgets the cached earliest (the room's storage was wiped). */
  forget() {
    this.earliest = undefined;
  }
}
