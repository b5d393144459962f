/**
 * A room's event log in its own SQLite storage: the channel's gap-free `seq`, each state-changing
 * event's frame kept for replay (the last 1000 of the last 24 h), and the event ids already
 * sequenced, so a retried call never makes a second event. The current seq is also kept in memory
 * (read once per wake-up), so an event costs one lookup and three inserts, which the object's
 * storage commits together; pruning runs every PRUNE_EVERY events, not on each.
 */
import { type SequencedType, frame } from "./protocol";

const REPLAY_EVENTS = 1000;
const REPLAY_MS = 24 * 60 * 60 * 1000;
const PRUNE_EVERY = 50;

export class EventLog {
  /** The last seq handed out, once read from storage (undefined until then, and after `forget`). */
  private seq: number | undefined;
  private epochValue: number | undefined;

  /** The room creates the tables (`createTables`) before its first use of the log. */
  constructor(private readonly sql: SqlStorage) {}

  /** After the storage was wiped (a deleted channel): read the seq again. */
  forget() {
    this.seq = undefined;
    this.epochValue = undefined;
  }

  /** Idempotent; also after `deleteAll()` (a retried channel delete calls the room again). */
  createTables() {
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, frame TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS event_keys (event_id TEXT PRIMARY KEY, seq INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS event_keys_seq ON event_keys (seq);
    `);
  }

  /**
   * The log's epoch: made with the log, so a room whose storage was lost (or a deleted channel's
   * id used again) has a new one, and a `since_seq` counted in the old log is never replayed
   * against the new one.
   */
  epoch(): number {
    this.epochValue ??=
      this.sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = 'epoch'").toArray()[0]?.value ??
      this.sql.exec<{ value: number }>("INSERT INTO meta (key, value) VALUES ('epoch', ?) RETURNING value", Math.floor(Math.random() * 2 ** 48) + 1).one().value;
    return this.epochValue;
  }

  currentSeq(): number {
    this.seq ??= this.sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = 'seq'").toArray()[0]?.value ?? 0;
    return this.seq;
  }

  /**
   * Sequences an event: its frame under the next seq, or, for an `eventId` already seen, the first
   * call's seq and no frame (nothing to send again).
   */
  append(channelId: string, type: SequencedType, data: unknown, eventId?: string): { seq: number; text?: string } {
    if (eventId) {
      const known = this.sql.exec<{ seq: number }>("SELECT seq FROM event_keys WHERE event_id = ?", eventId).toArray()[0];
      if (known) return { seq: known.seq };
    }
    const seq = this.currentSeq() + 1;
    const now = Date.now();
    const text = frame(type, channelId, seq, data);
    this.sql.exec("INSERT INTO events (seq, at, frame) VALUES (?, ?, ?)", seq, now, text);
    this.sql.exec("INSERT INTO meta (key, value) VALUES ('seq', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", seq);
    if (eventId) this.sql.exec("INSERT INTO event_keys (event_id, seq) VALUES (?, ?)", eventId, seq);
    this.seq = seq;
    if (seq % PRUNE_EVERY === 0) this.prune(seq, now);
    return { seq, text };
  }

  /**
   * Whether the event `eventId`, made at or after `since`, was sequenced: true or false when the log
   * can tell, undefined when events from `since` on may have been pruned (then it cannot).
   */
  announced(eventId: string, since: number): boolean | undefined {
    if (this.sql.exec("SELECT 1 FROM event_keys WHERE event_id = ?", eventId).toArray().length) return true;
    if (this.currentSeq() === 0) return false;
    const oldest = this.sql.exec<{ at: number }>("SELECT at FROM events ORDER BY seq LIMIT 1").toArray()[0];
    // The kept events are a suffix of the log: if it starts before `since`, every later event is in it.
    return oldest && oldest.at <= since ? false : undefined;
  }

  /**
   * Everything after `since` in order, or `resync_required` when those events are no longer kept
   * or `since` was counted in another epoch of the log (`epoch` absent: a client that predates epochs).
   */
  replay(ws: WebSocket, channelId: string, since: number, seq: number, epoch?: number): "replayed" | "resync" {
    this.prune(seq, Date.now());
    const current = this.epoch();
    const sameLog = epoch === undefined || epoch === current;
    if (since === seq && sameLog) return "replayed";
    const oldest = this.sql.exec<{ seq: number }>("SELECT seq FROM events ORDER BY seq LIMIT 1").toArray()[0]?.seq;
    const complete = sameLog && Number.isInteger(since) && since >= 0 && since < seq && oldest !== undefined && oldest <= since + 1;
    if (!complete) {
      ws.send(frame("resync_required", channelId, null, { seq, since_seq: since, epoch: current }));
      return "resync";
    }
    for (const row of this.sql.exec<{ frame: string }>("SELECT frame FROM events WHERE seq > ? ORDER BY seq", since)) {
      ws.send(row.frame);
    }
    return "replayed";
  }

  /** The kept frames from `seq` on, in order (after a resync: what D1 does not hold yet). */
  sendFrom(ws: WebSocket, seq: number) {
    for (const row of this.sql.exec<{ frame: string }>("SELECT frame FROM events WHERE seq >= ? ORDER BY seq", seq)) ws.send(row.frame);
  }

  /** Pruning never drops an event D1 does not hold yet (`keepFrom`: the first unflushed seq). */
  keepFrom: () => number | undefined = () => undefined;

  /**
   * Keeps the last 1000 events of the last 24 h (up to PRUNE_EVERY more between prunes; a replay
   * prunes first, so it never serves an event older than 24 h). Seq and time grow together, so both cut a prefix.
   */
  private prune(seq: number, now: number) {
    const keep = this.keepFrom() ?? Number.MAX_SAFE_INTEGER;
    this.sql.exec("DELETE FROM events WHERE seq <= ? AND seq < ?", seq - REPLAY_EVENTS, keep);
    this.sql.exec("DELETE FROM event_keys WHERE seq <= ? AND seq < ?", seq - REPLAY_EVENTS, keep);
    const oldest = this.sql.exec<{ at: number }>("SELECT at FROM events ORDER BY seq LIMIT 1").toArray()[0];
    if (oldest && oldest.at < now - REPLAY_MS) this.sql.exec("DELETE FROM events WHERE at < ? AND seq < ?", now - REPLAY_MS, keep);
  }
}
