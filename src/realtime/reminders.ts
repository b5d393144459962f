/**
 * Reminders in the user's hub (DESIGN §18): kept in the hub's storage and fired by its alarm, armed
 * for the earliest one (one alarm, however many wait). Firing one is a `reminder` frame on the user
 * socket (sequenced and replayable like every hub frame), then its directory row goes. A fired
 * reminder whose row could not be deleted stays here and is retried on the next wake, with the
 * frame deduplicated by its event id.
 */
const RETRY_MS = 5_000;

export class HubReminders {
  /** Wakes that fired something since this instance started (tests count them). */
  wakes = 0;

  constructor(
    private readonly sql: SqlStorage,
    private readonly storage: DurableObjectStorage,
    /** The hub's sequenced delivery (idempotent by event id). */
    private readonly deliver: (data: unknown, eventId: string) => Promise<unknown>,
    /** Deletes the directory row of a fired reminder. */
    private readonly unlist: (id: string) => Promise<unknown>,
  ) {
    sql.exec("CREATE TABLE IF NOT EXISTS reminders (id TEXT PRIMARY KEY, due_at INTEGER NOT NULL, fired INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL); CREATE INDEX IF NOT EXISTS reminders_due ON reminders (due_at)");
  }

  async add(id: string, data: unknown, at: number) {
    this.sql.exec("INSERT OR REPLACE INTO reminders (id, due_at, data) VALUES (?, ?, ?)", id, at, JSON.stringify(data));
    await this.armNext();
  }

  async remove(id: string) {
    this.sql.exec("DELETE FROM reminders WHERE id = ?", id);
    await this.armNext();
  }

  waiting() {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM reminders").one().n;
  }

  /** The alarm: fires everything due, then arms for the next. Never throws. */
  async wake() {
    const due = this.sql.exec<{ id: string; data: string; fired: number }>("SELECT id, data, fired FROM reminders WHERE due_at <= ? ORDER BY due_at, id", Date.now()).toArray();
    if (due.length) this.wakes++;
    for (const r of due) {
      try {
        if (!r.fired) {
          await this.deliver(JSON.parse(r.data), `reminder:${r.id}`);
          this.sql.exec("UPDATE reminders SET fired = 1 WHERE id = ?", r.id);
        }
        await this.unlist(r.id);
        this.sql.exec("DELETE FROM reminders WHERE id = ?", r.id);
      } catch (err) {
        console.error(JSON.stringify({ level: "warn", hub: "reminder", reminder_id: r.id, error: String(err) }));
        this.sql.exec("UPDATE reminders SET due_at = ? WHERE id = ?", Date.now() + RETRY_MS, r.id);
      }
    }
    await this.armNext();
  }

  /** The hub's alarm is used by reminders alone: always the earliest waiting one. */
  private async armNext() {
    const next = this.sql.exec<{ at: number | null }>("SELECT min(due_at) AS at FROM reminders").one().at;
    if (next === null) await this.storage.deleteAlarm();
    else if ((await this.storage.getAlarm()) !== next) await this.storage.setAlarm(next);
  }
}
