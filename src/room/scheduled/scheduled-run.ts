/**
 * The alarm's side of scheduled messages (DESIGN §18): at its time each one is sent through the
 * same `sendMessage` as any send, by its author, so every rule applies as if it were sent then (a
 * member removed meanwhile, an archived channel, a block, moderation…). A refusal stores nothing:
 * the scheduled message becomes `failed` with the code and the author's user socket gets
 * `scheduled_failed`. A passing failure (the backlog full, D1 unreachable) is retried with backoff.
 *
 * One alarm serves them all: it is armed for the earliest due time (the room's `arm` keeps the
 * earliest deadline), and one wake sends everything due by then, however many share that time.
 */
import type { Deps } from "../../env";
import { ApiError } from "../../platform/errors";
import { emptyStats } from "../../platform/d1-metering";
import { ensureIdNode } from "../../platform/id-registry";
import { newId } from "../../platform/ids";
import { toHubs } from "../../realtime/hubs";
import { deleteScheduled, moveClaims, reclaim, scheduledOfChannel, updateScheduled } from "../../features/scheduled/scheduled.queries";
import { BACKLOG_MAX_EVENTS } from "../flush";
import { type RoomContext, roomDeps, sendOrderKeys } from "../send/room-send";
import { sendMessage } from "../send/send";
import type { ScheduledEntry, ScheduledStore } from "./scheduled-store";

/** Refusals that say "not now" rather than "no": retried, up to MAX_ATTEMPTS times. */
const PASSING = new Set(["CHAT_UNAVAILABLE", "RATE_LIMITED", "INTERNAL"]);
const MAX_ATTEMPTS = 12;
const retryDelay = (attempts: number) => Math.min(30_000, 500 * 2 ** attempts);
/** Entries read per step; a wake stops after RUN_BUDGET_MS and re-arms at once for the rest. */
const STEP = 100;
const RUN_BUDGET_MS = 60_000;

/** The room's link previews, as a scheduled send needs them (src/room/previews.ts). */
export interface ScheduledPreviews {
  optOut(messageId: string): void;
  forget(messageId: string): void;
  start(channelId: string, messageId: string, shard?: string, body?: string): void;
}

/** The change-order key of a scheduled message: its send, edit and cancel run one at a time. */
export const scheduledKey = (id: string) => `s:${id}`;

export class ScheduledRun {
  /** Since this instance started: wakes that found something due, messages sent, messages refused. */
  readonly counts = { wakes: 0, sent: 0, failed: 0 };
  private running = false;

  constructor(
    private readonly store: ScheduledStore,
    private readonly context: (channelId: string) => RoomContext,
    private readonly previews: ScheduledPreviews,
    private readonly arm: (at: number) => void,
  ) {}

  /**
   * The deadline the room's alarm must not pass (its `arm` takes the earlier of this and its own);
   * null while a wake is sending (it arms the next one when done: no wake for what it is sending).
   */
  deadline(): number | null {
    return this.running ? null : this.store.nextDue();
  }

  /** Arms the room's alarm for the earliest due entry, if any. */
  armNext() {
    const at = this.store.nextDue();
    if (at !== null) this.arm(Math.max(at, Date.now()));
  }

  waiting() {
    return this.store.all().length;
  }

  /** The alarm's work: everything due, earliest first. Never throws. */
  async wake() {
    const first = this.store.nextDue();
    if (first === null || first > Date.now()) return this.armNext();
    this.counts.wakes++;
    this.running = true;
    const started = Date.now();
    try {
      for (let batch = this.store.due(Date.now(), STEP); batch.length; batch = this.store.due(Date.now(), STEP)) {
        for (const entry of batch) await this.step(entry.id, entry.input.channelId);
        if (Date.now() - started > RUN_BUDGET_MS) break;
      }
    } finally {
      this.running = false;
      this.armNext();
    }
  }

  /** One due entry: its send (pending), or telling the directory what became of it (sent, failed). */
  private async step(id: string, channelId: string) {
    const room = this.context(channelId);
    const entry = this.store.get(id);
    if (!entry || entry.dueAt > Date.now()) return;
    try {
      // Many due at once: let the flush catch up rather than run into the backlog bound (§6).
      const flusher = room.sends.wal.flusher;
      if (flusher.backlog().waiting >= BACKLOG_MAX_EVENTS / 2) {
        flusher.kick();
        await flusher.idle();
      }
      // The message id is minted once and kept: a wake after a restart mid-send finds that message.
      if (entry.state === "pending" && !entry.messageId) {
        await ensureIdNode(room.env);
        entry.messageId = newId(Date.now());
        this.store.put(entry);
      }
      const input = { ...entry.input, messageId: entry.messageId ?? undefined };
      await room.order.alongsideOthers(async () => {
        const now = this.store.get(id);
        if (!now || now.dueAt > Date.now()) return; // cancelled or moved while it waited
        const deps = roomDeps(room, emptyStats(), crypto.randomUUID());
        if (now.state === "pending") await this.send(deps, room, now);
        else await this.tellDirectory(deps, now);
      }, [scheduledKey(id), ...sendOrderKeys(input)]);
    } catch (err) {
      // Never stuck on one entry: it is tried again later.
      console.error(JSON.stringify({ level: "warn", room: "scheduled", channel_id: channelId, scheduled_id: id, error: String(err) }));
      const again = this.store.get(id);
      if (again) this.store.put({ ...again, attempts: again.attempts + 1, dueAt: Date.now() + retryDelay(again.attempts) });
    }
  }

  private async send(deps: Deps, room: RoomContext, entry: ScheduledEntry) {
    const messageId = entry.messageId!;
    const input = { ...entry.input, messageId };
    if (input.assetIds.length) await moveClaims(deps.db, entry.id, messageId);
    if (input.unfurl === false) this.previews.optOut(messageId);
    try {
      const sent = await sendMessage(deps, input, room.sends);
      // A reply is in D1 once accepted here: its previews start now (a top-level message's after its flush).
      if (sent.message.parent_id !== null && !sent.replayed) this.previews.start(input.channelId, messageId, undefined, sent.message.body);
      this.counts.sent++;
      await this.tellDirectory(deps, { ...entry, state: "sent" });
    } catch (err) {
      if (input.unfurl === false) this.previews.forget(messageId);
      const code = err instanceof ApiError ? err.code : "INTERNAL";
      if (PASSING.has(code) && entry.attempts < MAX_ATTEMPTS) {
        this.store.put({ ...entry, attempts: entry.attempts + 1, dueAt: Date.now() + retryDelay(entry.attempts) });
        return;
      }
      // Refused as if sent now: nothing was stored; the uploads go back under the scheduled message.
      if (input.assetIds.length) await reclaim(deps.db, input.assetIds, input.uploaderId, entry.id, messageId).catch(() => {});
      this.counts.failed++;
      await this.tellDirectory(deps, { ...entry, state: "failed", code, attempts: 0 });
      deps.waitUntil?.(toHubs(deps, [entry.authorId], "scheduled_failed", { id: entry.id, channel_id: input.channelId, code }).catch(() => {}));
    }
  }

  /** The author's list learns the outcome (sent: gone; failed: with its code); until then the room keeps the entry. */
  private async tellDirectory(deps: Deps, entry: ScheduledEntry) {
    try {
      if (entry.state === "sent") await deleteScheduled(deps.db, entry.id);
      else await updateScheduled(deps.db, entry.id, { status: "failed", failureCode: entry.code, updatedAt: Date.now() });
      this.store.remove(entry.id);
    } catch (err) {
      console.error(JSON.stringify({ level: "warn", room: "scheduled", scheduled_id: entry.id, state: entry.state, error: String(err) }));
      this.store.put({ ...entry, attempts: entry.attempts + 1, dueAt: Date.now() + retryDelay(entry.attempts) });
    }
  }

  /**
   * The channel is being deleted: every scheduled message of it fails (CHAT_CHANNEL_NOT_FOUND) and
   * stays in its author's list; best effort, as the room's storage goes next.
   */
  async channelDeleted(deps: Deps, channelId: string) {
    try {
      const rows = await scheduledOfChannel(deps.db, channelId);
      if (!rows.length) return;
      const now = Date.now();
      const [first, ...rest] = rows.map((r) => updateScheduled(deps.db, r.id, { status: "failed", failureCode: "CHAT_CHANNEL_NOT_FOUND", updatedAt: now }));
      await deps.db.batch([first!, ...rest]);
      await Promise.all(rows.map((r) => toHubs(deps, [r.authorId], "scheduled_failed", { id: r.id, channel_id: channelId, code: "CHAT_CHANNEL_NOT_FOUND" }).catch(() => {})));
    } catch (err) {
      console.error(JSON.stringify({ level: "warn", room: "scheduled", channel_id: channelId, error: String(err) }));
    }
  }
}
