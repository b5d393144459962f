/**
 * The room's write-ahead step (DESIGN §6): an accepted message's event and its flush op are written
 * to the room's storage in one transaction, with the channel's last handed-out position, and only
 * then broadcast — the output gate holds the frames until that write is durable, so nobody sees an
 * event that could be lost. D1 follows (src/room/flush.ts).
 */
import type { EventLog } from "./event-log";
import type { SequencedType } from "./protocol";
import type { FlushOp, Flushed, Flusher } from "./flush";

/** How long after an accept the alarm checks that it reached D1 (a restart mid-flush resumes there). */
const SAFETY_ALARM_MS = 2000;

/** What a change of a waiting message decided: the op as it is now, the events it makes, the answer. */
export interface ChangeDecided<V> {
  op: FlushOp;
  events: { type: SequencedType; data: unknown }[];
  value: V;
}

export class WriteAhead {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly log: EventLog,
    readonly flusher: Flusher,
    private readonly broadcast: (text: string) => void,
    private readonly arm: (at: number) => void,
    /** Creates the room's tables on first use. */
    private readonly ready: () => void,
  ) {}

  private lastStamp = 0;

  /**
   * The room's clock for directory updates and cursor moves: microseconds, strictly increasing in this
   * instance, and past any earlier instance's (time moves on across a restart).
   */
  stamp(): number {
    this.lastStamp = Math.max(Date.now() * 1000, this.lastStamp + 1);
    return this.lastStamp;
  }

  /** The newest stamp handed out (0 before the first). */
  latestStamp(): number {
    return this.lastStamp;
  }

  /** The last position this room handed out, as stored (0 before the first). */
  storedPosition(): number {
    this.ready();
    return this.storage.sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = 'position'").toArray()[0]?.value ?? 0;
  }

  /**
   * Durable, then broadcast; returns the event's seq (a retried accept of the same message: the first
   * seq). `also`: events that go with it in the same transaction (a reply's root update).
   */
  accept(channelId: string, op: FlushOp, eventId: string, also: { type: SequencedType; data: unknown }[] = []): number {
    this.ready();
    const sql = this.storage.sql;
    const { seq, texts } = this.storage.transactionSync(() => {
      const appended = this.log.append(channelId, "message", op.message, eventId);
      if (!appended.text) return { seq: appended.seq, texts: [] }; // accepted before: nothing more
      this.flusher.record(appended.seq, op);
      if (op.row.position !== null) sql.exec("INSERT INTO meta (key, value) VALUES ('position', ?) ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)", op.row.position);
      return { seq: appended.seq, texts: [appended.text, ...also.map((e) => this.log.append(channelId, e.type, e.data).text!)] };
    });
    for (const text of texts) this.broadcast(text);
    this.arm(Date.now() + SAFETY_ALARM_MS);
    this.flusher.kick();
    return seq;
  }

  /**
   * An event of a change already in D1 (a reply and its root): sequenced and broadcast by the room
   * itself. Idempotent by `eventId`.
   */
  announce(channelId: string, type: SequencedType, data: unknown, eventId?: string): number {
    this.ready();
    const { seq, text } = this.log.append(channelId, type, data, eventId);
    if (text) this.broadcast(text);
    return seq;
  }

  /**
   * A change of a message accepted here that D1 does not hold yet (src/room/pending-changes.ts):
   * `decide` checks it against the room's copy and returns the changed op, its events and its answer
   * (or throws the refusal); the op and the events are stored in one transaction, then broadcast, and
   * the message's flush stores it as changed. Undefined when the message is not waiting any more (in
   * D1, or being written by the flush in flight): then the change runs against D1.
   */
  changeWaiting<V>(channelId: string, messageId: string, decide: (op: FlushOp) => ChangeDecided<V>): { value: V } | undefined {
    this.ready();
    const texts: string[] = [];
    const decided = this.storage.transactionSync(() => {
      const pending = this.flusher.pending(messageId);
      if (!pending || this.flusher.isWriting(messageId)) return undefined;
      const { op, events, value } = decide(pending.op);
      this.flusher.replace(pending.seq, { ...op, webhooks: [...(op.webhooks ?? []), ...events] });
      for (const e of events) {
        const { text } = this.log.append(channelId, e.type, e.data);
        if (text) texts.push(text);
      }
      return { value };
    });
    for (const text of texts) this.broadcast(text);
    return decided;
  }

  /** Resolves when no flush is in flight (a change of a message it writes waits for it). */
  flushIdle(): Promise<void> {
    return this.flusher.idle();
  }

  checkBacklog() {
    this.ready();
    this.flusher.checkBacklog();
  }

  pending(messageId: string) {
    this.ready();
    return this.flusher.pending(messageId);
  }

  /**
   * Whether the event `eventId`, made at or after `since`, was sequenced here: true or false when the
   * log can tell, undefined when events since then may have been pruned.
   */
  announced(eventId: string, since: number): boolean | undefined {
    this.ready();
    return this.log.announced(eventId, since);
  }

  /** A REST or integration send: waits for its flush into the shard (the directory follows through the queue). */
  waitFor(seq: number): Promise<Flushed | undefined> {
    this.ready();
    return this.flusher.waitFor(seq);
  }

  messageFlushed(messageId: string): Promise<void> {
    this.ready();
    return this.flusher.messageFlushed(messageId);
  }

  /** Everything accepted so far is in D1 (a change that must not overtake a flush: a read cursor). */
  async allFlushed(): Promise<void> {
    this.ready();
    const seq = this.log.currentSeq();
    await this.flusher.waitFor(seq);
  }
}
