/**
 * Write-ahead (DESIGN §6): the room accepts a top-level message by writing it, with its event, to its
 * own storage in one transaction, broadcasts, and only then does D1 follow — here. What the room
 * accepted waits in `unflushed` (in `seq` order) until a flush has written it to the channel's
 * shard and then the directory: one flush in flight, each taking everything accepted since the last
 * (group commit: one shard batch, then one directory batch), retried with backoff on failure. The
 * room's alarm is the one scheduler: armed when something waits, it resumes an interrupted flush
 * after a restart. Past the backlog bound (1,000 waiting or the oldest 30 s old) the room refuses
 * new changes with 503 CHAT_UNAVAILABLE; reads are unaffected.
 */
import type { Env } from "../env";
import { type AcceptedReaction, type AcceptedRow, insertAccepted, insertAcceptedReactions, recountThread } from "../history";
import { insertMentions } from "../features/mentions/mentions.queries";
import { markDeleted } from "../features/attachments/attachments.queries";
import { type D1Stats, emptyStats, meterD1 } from "../platform/d1-metering";
import { createDb } from "../platform/db";
import { directoryWrites, recordDeletedPosition } from "../features/messages/messages.queries";
import type { SequencedType } from "./protocol";
import { ApiError } from "../platform/errors";
import { historyDb, shardBinding } from "../platform/shards";

export const BACKLOG_MAX_EVENTS = 1000;
export const BACKLOG_MAX_MS = 30_000;
/** The most a REST send waits for its flush before answering 201 without a bookmark (§6). */
export const FLUSH_WAIT_MS = 5000;
/** Retry delays after a failed flush: doubling from 200 ms to 10 s. */
const RETRY_MIN_MS = 200;
const RETRY_MAX_MS = 10_000;
/** At most this many messages per flush (a D1 batch is one transaction; keep it small). */
const FLUSH_MAX = 200;
/**
 * Group commit under a burst: a flush that follows another at once (more arrived meanwhile) first
 * waits this long for more, unless someone waits for it (a REST send, a change of a waiting
 * message). Socket sends are acked before their flush, so nobody sees the wait; D1 sees fewer,
 * larger transactions.
 */
const GATHER_MS = 10;

/**
 * What a flush writes for one accepted message: its row as the room holds it now (changes made
 * before the flush included: src/room/pending-changes.ts) and its reactions. `message` is its
 * `message` event's data; webhooks go after the flush, that one first, then `webhooks` in order.
 */
export interface FlushOp {
  shard: string;
  dm: boolean;
  /** `position` null and `parentId` set: a reply. */
  row: AcceptedRow;
  mentioned: string[];
  message: unknown;
  reactions?: AcceptedReaction[];
  /** Uploads of a message deleted before its flush: marked deleted with it, their bytes removed after. */
  removedAssets?: string[];
  webhooks?: { type: SequencedType; data: unknown }[];
}

const unavailable = () => new ApiError("CHAT_UNAVAILABLE", "This channel's changes are not reaching the database right now; retry shortly", undefined, { "Retry-After": "5" });

interface Waiter {
  seq: number;
  done: (flushed: Flushed | undefined) => void;
}

/** A flush as a waiting sender sees it: what it cost and the bookmarks to read it back. */
export interface Flushed {
  d1: D1Stats;
  bookmarks: Record<string, string>;
}

export class Flusher {
  private inFlight: Promise<void> | undefined;
  private again = false;
  private failures = 0;
  private readonly waiters = new Set<Waiter>();
  /** The messages the flush in flight is writing: a change waits for it instead of changing them. */
  private readonly writing = new Set<string>();
  /** Tests only: flushes paused (FAULT_INJECTION), or failing their next `failNext` attempts. */
  paused = false;
  failNext = 0;
  backlogMax = BACKLOG_MAX_EVENTS;
  /**
   * Since this instance started: messages flushed, flushes that wrote, D1 transactions they took (shard
   * and directory), and of those the directory's written inline (mentions, deletes before the flush).
   */
  readonly counts = { messages: 0, flushes: 0, transactions: 0, directory: 0 };
  /** The last directory update this instance queued (tests and benches wait for it to be applied). */
  lastQueued: { channelId: string; stamp: number } | undefined;

  constructor(
    private readonly sql: () => SqlStorage,
    private readonly env: Env,
    /** Arms the room's alarm at `at` (earliest deadline wins). */
    private readonly arm: (at: number) => void,
    /** The room's stamp clock (monotonic, microseconds): orders directory updates (src/room/directory-updates.ts). */
    private readonly stamp: () => number,
    /** Called with the ops of each successful flush, in seq order (webhooks). */
    private readonly flushed: (ops: FlushOp[]) => void,
  ) {}

  static createTables(sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS unflushed (seq INTEGER PRIMARY KEY, message_id TEXT NOT NULL UNIQUE, at INTEGER NOT NULL, op TEXT NOT NULL)");
  }

  /** Records an accepted message; the caller does it in the same storage transaction as its event. */
  record(seq: number, op: FlushOp) {
    this.sql().exec("INSERT INTO unflushed (seq, message_id, at, op) VALUES (?, ?, ?, ?)", seq, op.row.id, Date.now(), JSON.stringify(op));
  }

  /** Refuses a new change past the backlog bound (nothing reaches D1 meanwhile). */
  checkBacklog() {
    const { waiting, oldest } = this.backlog();
    if (waiting >= this.backlogMax || (oldest !== null && oldest < Date.now() - BACKLOG_MAX_MS)) {
      this.kick();
      throw unavailable();
    }
  }

  /** Messages accepted and not in D1 yet, and when the oldest was. */
  backlog(): { waiting: number; oldest: number | null } {
    return this.sql().exec<{ waiting: number; oldest: number | null }>("SELECT count(*) AS waiting, min(at) AS oldest FROM unflushed").one();
  }

  /** The op of an accepted message that D1 does not hold yet, with its seq. */
  pending(messageId: string): { seq: number; op: FlushOp } | undefined {
    const row = this.sql().exec<{ seq: number; op: string }>("SELECT seq, op FROM unflushed WHERE message_id = ?", messageId).toArray()[0];
    return row && { seq: row.seq, op: JSON.parse(row.op) as FlushOp };
  }

  /** Whether the flush in flight is writing this message (a change of it then waits: `idle`). */
  isWriting(messageId: string) {
    return this.writing.has(messageId);
  }

  /** Resolves when no flush is in flight. */
  async idle() {
    await this.inFlight;
  }

  /** Stores a changed op of a waiting message (the caller does it with the change's events). */
  replace(seq: number, op: FlushOp) {
    this.sql().exec("UPDATE unflushed SET op = ? WHERE seq = ?", JSON.stringify(op), seq);
  }

  /** A thread's waiting live replies: how many, and the newest one's time (0 and null for none). */
  waitingThread(rootId: string, except = ""): { count: number; last: number | null } {
    return this.sql()
      .exec<{ count: number; last: number | null }>(
        "SELECT count(*) AS count, max(json_extract(op, '$.row.now')) AS last FROM unflushed WHERE json_extract(op, '$.row.parentId') = ? AND json_extract(op, '$.row.deletedAt') IS NULL AND message_id != ?",
        rootId,
        except,
      )
      .one();
  }

  /** Waiting messages pinned before their flush (the channel's pin cap counts them). */
  pinnedWaiting(): number {
    return this.sql().exec<{ n: number }>("SELECT count(*) AS n FROM unflushed WHERE json_extract(op, '$.row.pinnedAt') IS NOT NULL").one().n;
  }

  /** The sender's waiting messages after `position` (their own: never unread for them). */
  ownWaitingAfter(senderId: string, position: number): number {
    return this.sql().exec<{ n: number }>("SELECT count(*) AS n FROM unflushed WHERE json_extract(op, '$.row.senderId') = ? AND json_extract(op, '$.row.position') > ?", senderId, position).one().n;
  }

  /** The lowest seq D1 does not hold yet (undefined: everything is flushed). */
  firstUnflushed(): number | undefined {
    return this.sql().exec<{ seq: number | null }>("SELECT min(seq) AS seq FROM unflushed").one().seq ?? undefined;
  }

  /**
   * Resolves once everything up to `seq` is in D1 (with the flush's cost and bookmarks), or with
   * undefined after `ms` (the message is durable in the room either way).
   */
  waitFor(seq: number, ms = FLUSH_WAIT_MS): Promise<Flushed | undefined> {
    const first = this.firstUnflushed();
    if (first === undefined || first > seq) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter: Waiter = { seq, done: (f) => (clearTimeout(timer), this.waiters.delete(waiter), resolve(f)) };
      const timer = setTimeout(() => waiter.done(undefined), ms);
      this.waiters.add(waiter);
      this.kick();
    });
  }

  /**
   * Waits (up to `ms`) until the message is in D1, when it is not yet. Still not there (D1 down):
   * 503 CHAT_UNAVAILABLE, so the change is retried later rather than refused as "not found".
   */
  async messageFlushed(messageId: string, ms = FLUSH_WAIT_MS) {
    const pending = this.pending(messageId);
    if (!pending) return;
    await this.waitFor(pending.seq, ms);
    if (this.pending(messageId)) throw unavailable();
  }

  /** Starts a flush unless one is in flight (then it flushes again at once when done). */
  kick() {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = this.loop().finally(() => (this.inFlight = undefined));
  }

  /** The alarm's work: flush, and never throw. */
  async resume() {
    this.kick();
    await this.inFlight;
  }

  private async loop() {
    let followUp = false;
    do {
      this.again = false;
      if (followUp && this.waiters.size === 0) await new Promise((r) => setTimeout(r, GATHER_MS));
      followUp = true;
      if (this.paused) return;
      const ops = this.sql()
        .exec<{ seq: number; op: string }>("SELECT seq, op FROM unflushed ORDER BY seq LIMIT ?", FLUSH_MAX)
        .toArray()
        .map((r) => ({ seq: r.seq, op: JSON.parse(r.op) as FlushOp }));
      if (!ops.length) return;
      // The directory's part goes through the DIRECTORY queue, coalesced across channels (§12: no
      // per-message directory write; counts trail by the queue's second). A REST send waits for the
      // shard only: history is what it promises to read back.
      // Mention rows go inline: an edit right after the send replaces them, and a late queued insert
      // would bring back ones it removed (mentions are rare next to plain messages).
      // So do deletes made before the flush: the directory must skip their positions in unread counts.
      const inline = ops.some((o) => o.op.mentioned.length > 0 || o.op.row.deletedAt != null);
      const last = ops.at(-1)!.seq;
      let result: Flushed;
      for (const o of ops) this.writing.add(o.op.row.id);
      try {
        result = await this.write(ops.map((o) => o.op), inline);
      } catch (err) {
        this.failures++;
        const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (this.failures - 1));
        // LOG_LEVEL=silent: the tests inject these failures on purpose (a green run prints nothing).
        if (this.env.LOG_LEVEL !== "silent") {
          console.error(JSON.stringify({ level: "warn", room: "flush", channel_id: ops[0]!.op.row.channelId, waiting: ops.length, retry_in_ms: delay, error: String(err) }));
        }
        this.arm(Date.now() + delay);
        return;
      } finally {
        this.writing.clear();
      }
      this.failures = 0;
      this.counts.messages += ops.length;
      this.counts.flushes += 1;
      this.counts.transactions += inline ? 2 : 1; // the shard batch, and the directory's when inline (else queued, coalesced)
      if (inline) this.counts.directory += 1;
      this.sql().exec("DELETE FROM unflushed WHERE seq <= ?", last);
      // Waiters for a seq that was not a message (a reaction's, say) are done once nothing before it waits.
      const next = this.firstUnflushed() ?? Number.POSITIVE_INFINITY;
      for (const waiter of [...this.waiters]) if (waiter.seq <= last || waiter.seq < next) waiter.done(result);
      this.flushed(ops.map((o) => o.op));
      if (ops.length === FLUSH_MAX) this.again = true;
    } while (this.again);
  }

  /**
   * One shard batch, then the directory's part handed to the DIRECTORY queue (the shard first: §12),
   * with the cost and the shard's bookmark. A flush is done when both are: a retried flush inserts
   * nothing twice and queues an update that changes nothing twice.
   */
  private async write(ops: FlushOp[], inline: boolean): Promise<Flushed> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("injected fault: D1 unavailable");
    }
    const d1 = emptyStats();
    const bookmarks: Record<string, string> = {};
    const session = (name: string, binding: D1Database) => {
      const s = typeof binding.withSession === "function" ? binding.withSession("first-primary") : undefined;
      return { db: meterD1((s ?? binding) as D1Database, d1), bookmark: () => s?.getBookmark() };
    };
    const { shard, dm, row } = ops[0]!;
    const channelId = row.channelId;
    const history = session(shard, shardBinding(this.env, shard));
    const shardDb = historyDb(history.db);
    // Replies after their rows: each thread's root recounted from its live replies.
    const roots = [...new Set(ops.flatMap((o) => (o.row.parentId ? [o.row.parentId] : [])))];
    const [first, ...rest] = [
      ...insertAccepted(shardDb, ops.map((o) => o.row)),
      ...insertAcceptedReactions(shardDb, ops.flatMap((o) => o.reactions ?? [])),
      ...roots.map((rootId) => recountThread(shardDb, channelId, rootId)),
    ];
    await shardDb.batch([first!, ...rest]);
    // Replies take no position: they never count as unread, move no cursor, reorder no channel list.
    const accepted = ops.flatMap((o) => (o.row.position === null ? [] : [{ messageId: o.row.id, senderId: o.row.senderId, position: o.row.position, now: o.row.now, mentioned: o.mentioned }]));
    const update = accepted.length ? { channelId, stamp: this.stamp(), dm, accepted } : undefined;
    if (inline) {
      const directory = session("DB", this.env.DB);
      const db = createDb(directory.db);
      const gone = ops.filter((o) => o.row.deletedAt != null);
      const writes = [
        ...(update ? directoryWrites(db, update) : []),
        ...ops.flatMap((o) => (o.row.position === null && o.mentioned.length ? [insertMentions(db, { channelId, messageId: o.row.id, senderId: o.row.senderId, userIds: o.mentioned })] : [])),
        ...gone.flatMap((o) => (o.row.position === null ? [] : [recordDeletedPosition(db, channelId, o.row.position, o.row.senderId)])),
        ...gone.flatMap((o) => (o.removedAssets?.length ? [markDeleted(db, o.removedAssets)] : [])),
      ];
      const [head, ...tail] = writes;
      if (head) await db.batch([head, ...tail]);
      const b = directory.bookmark();
      if (b) bookmarks.DB = b;
    } else if (update) {
      await this.env.DIRECTORY.send({ kind: "directory", update }, { contentType: "json" });
      this.lastQueued = { channelId, stamp: update.stamp };
    }
    const b = history.bookmark();
    if (b) bookmarks[shard] = b;
    return { d1, bookmarks };
  }
}
