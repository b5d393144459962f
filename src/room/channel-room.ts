import { DurableObject } from "cloudflare:workers";
import { admitSocket } from "./admission";
import { ApiError } from "../platform/errors";
import { createDb } from "../platform/db";
import { readPosting } from "../features/messages/messages.queries";
import { refuseMuted } from "../features/channels/access";
import { ChangeOrder } from "./change-order";
import { EventLog } from "./event-log";
import { type InjectedFault, failNext, injectedFault } from "../realtime/faults";
import {
  CLOSE_CHANNEL_DELETED,
  CLOSE_REMOVED,
  ClientFrame,
  type EphemeralType,
  ROOM_CHANNEL_HEADER,
  ROOM_TICKET_HEADER,
  ROOM_USER_HEADER,
  type SequencedType,
  closeQuietly,
  frame,
  refusal,
  sendAnswer,
  sendQuietly,
} from "./protocol";
import { type RoomChangeRequest, runChange } from "./changes";
import { onlineUserIds, reportChannelSockets } from "./presence";
import { type RoomContext, type RoomSendRequest, roomDeps, runSend } from "./send/room-send";
import { SendKeys } from "./send/send-keys";
import { SlowMode } from "./send/slow-mode";
import { Buckets, FRAME_BUDGET, FRAME_REFILL_PER_S, MAX_FRAME_BYTES, MAX_QUEUED_FRAMES, MAX_SOCKETS_PER_USER, SEND_BUDGET, SEND_REFILL_PER_S, TokenBucket } from "./socket-limits";
import { type FlushOp, Flusher } from "./flush";
import { WriteAhead } from "./write-ahead";
import { RoomPreviews } from "./previews";
import { RoomScheduler } from "./scheduled/scheduler";
import { ScheduledStore } from "./scheduled/scheduled-store";
import { emitToWebhooks } from "../webhooks/dispatch";
import { queuePush } from "../push/schedule";
import { removeUploads } from "../features/attachments/uploads";
import { emptyStats, simulateD1Distance } from "../platform/d1-metering";
import { SendState } from "./send/send-state";
import { forgetUser } from "./forget-user";
import { answerSend, isSendAttempt } from "./send/socket-send";
import { consumeTicket, createTicketTable } from "../realtime/tickets";
import type { Env } from "../env";
import type { ChannelRoomRpc, ScheduledCall } from "./wire";

export const TYPING_MS = 8000;
export const TYPING_EVENT_INTERVAL_MS = 3000;

/** What each socket carries through hibernation. */
interface SocketInfo {
  userId: string;
  channelId: string;
  canPost: boolean;
  /** Who blocked this socket's user: their presence, typing and read receipts skip this socket. */
  hiddenFrom?: string[];
}

/**
 * One per channel: WebSocket fan-out, typing state, and the channel's event sequence with a
 * replay buffer in the object's own SQLite storage, so hibernation or eviction loses no event.
 * Typing lives in memory only: it lasts 8 s, so a wake-up that forgets it costs at most one extra
 * `typing` frame. Hibernation API only: no timers, no intervals; typing expiry is computed when asked.
 */
export class ChannelRoom extends DurableObject<Env> implements ChannelRoomRpc {
  private readonly sql: SqlStorage;
  private readonly log: EventLog;
  /** Each socket's frame chain (see webSocketMessage); in memory only: the room never hibernates mid-frame. */
  private readonly socketTurns = new WeakMap<WebSocket, Promise<void>>();
  /** Each socket's frame budget and its frames waiting for their turn (a wake-up starts them afresh). */
  private readonly frameBudgets = new WeakMap<WebSocket, TokenBucket>();
  private readonly queuedFrames = new WeakMap<WebSocket, number>();
  /** Socket sends per user: an exact token bucket here instead of the rate-limit service on the send's path. */
  private readonly sendBudgets = new Buckets(SEND_BUDGET, SEND_REFILL_PER_S);
  /** Tests only (FAULT_INJECTION=true): lets a test make the room fail its next calls. */
  private readonly faults: boolean;
  /** Who is typing: until when, and when their last `typing` frame went out. */
  private readonly typists = new Map<string, { until: number; emittedAt: number }>();
  /** Users' hubs, told when a user's sockets here open or close (presence). Typed structurally: no import of the hub. */
  private readonly hubs: Env["USER_HUB"];
  /** D1 behind the room: what it accepted, flushed in groups (src/room/flush.ts). */
  private readonly flusher: Flusher;
  /** Positions, posting verdicts, keys and the write-ahead step of the sends this room runs (every send runs here). */
  private readonly sends: SendState;
  /** When the armed alarm fires (undefined: none armed by this instance). */
  private alarmAt: number | undefined;
  /** The order of this channel's changes: rights changes alone, the rest alongside (src/room/change-order.ts). */
  private readonly order = new ChangeOrder();
  private tablesReady = false;
  /** Link previews of this channel's messages, fetched in the background (src/room/previews.ts). */
  private readonly previews: RoomPreviews;
  /** Scheduled messages (DESIGN §18): kept in this room's storage, sent by its alarm (src/room/scheduled/). */
  private readonly scheduledStore: ScheduledStore;
  private readonly scheduler: RoomScheduler;
  /** Alarm runs since this instance started (tests and benches count wake-ups). */
  private alarms = 0;

  // The Worker's bindings: socket sends run the REST send's code here (src/room/send/socket-send.ts).
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.faults = env.FAULT_INJECTION === "true";
    simulateD1Distance(env);
    this.hubs = env.USER_HUB;
    this.log = new EventLog(this.sql);
    const storage = () => {
      this.tables();
      return this.sql;
    };
    this.flusher = new Flusher(storage, env, (at) => this.arm(at), () => wal.stamp(), (ops) => this.afterFlush(ops));
    this.log.keepFrom = () => this.flusher.firstUnflushed();
    const wal: WriteAhead = new WriteAhead(ctx.storage, this.log, this.flusher, (text) => this.broadcast(text), (at) => this.arm(at), () => this.tables());
    this.sends = new SendState(new SendKeys(storage), wal, new SlowMode(storage));
    this.previews = new RoomPreviews(storage, (channelId) => this.context(channelId), this.order);
    this.scheduledStore = new ScheduledStore(storage);
    this.scheduler = new RoomScheduler(this.scheduledStore, (channelId) => this.context(channelId), this.previews, (at) => this.arm(at));
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /**
   * WebSocket upgrade, authenticated by the Worker; who may subscribe is decided here, while no
   * rights change of the channel runs, so a removal either refuses this socket or closes it.
   */
  async fetch(request: Request): Promise<Response> {
    const userId = request.headers.get(ROOM_USER_HEADER);
    const channelId = request.headers.get(ROOM_CHANNEL_HEADER);
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket" || !userId || !channelId) {
      return new Response("Expected an authenticated WebSocket upgrade", { status: 426 });
    }
    return this.order.alongsideOthers(async () => {
      let admitted;
      try {
        admitted = await admitSocket(this.env, channelId, userId);
      } catch (err) {
        if (err instanceof ApiError) return refusal(err.status, err.code, err.message);
        throw err;
      }
      if (this.ctx.getWebSockets(userId).length >= MAX_SOCKETS_PER_USER) {
        return refusal(429, "RATE_LIMITED", `At most ${MAX_SOCKETS_PER_USER} sockets per user on one channel`);
      }
      await this.sends.checkpoint("socket:admitted");
      this.tables();
      const ticket = request.headers.get(ROOM_TICKET_HEADER)?.split(" ");
      if (ticket && !consumeTicket(this.sql, ticket[0]!, Number(ticket[1]))) return refusal(401, "AUTH_INVALID_TOKEN", "This ticket was used already: a ticket opens one socket");
      const { 0: client, 1: server } = new WebSocketPair();
      this.ctx.acceptWebSocket(server, [userId]);
      server.serializeAttachment({ userId, channelId, canPost: admitted.canPost, hiddenFrom: admitted.blockers } satisfies SocketInfo);
      const seq = this.log.currentSeq();
      const epoch = this.log.epoch();
      server.send(frame("ready", channelId, seq, { seq, epoch, user_id: userId, ...onlineUserIds(admitted.online, userId) }));
      const query = new URL(request.url).searchParams;
      const since = query.get("since_seq");
      const sinceEpoch = query.get("epoch");
      if (since !== null && this.log.replay(server, channelId, Number(since), seq, sinceEpoch === null ? undefined : Number(sinceEpoch)) === "resync") {
        // The client refetches history from D1: first every event D1 does not hold yet, so nothing is skipped.
        const first = this.flusher.firstUnflushed();
        if (first !== undefined) this.log.sendFrom(server, first);
      }
      // The hub counts this socket before the client can act on `ready` (others then see the user online).
      await this.reportSockets(userId, channelId);
      return new Response(null, { status: 101, webSocket: client });
    });
  }

  /**
   * Created on first use, not in the constructor: a send to a channel id that does not exist reaches
   * a room too (sends run here), and is refused before anything is stored, so it leaves no object behind.
   */
  private tables() {
    if (this.tablesReady) return;
    this.log.createTables();
    SendKeys.createTables(this.sql);
    SlowMode.createTables(this.sql);
    Flusher.createTables(this.sql);
    createTicketTable(this.sql);
    RoomPreviews.createTables(this.sql);
    ScheduledStore.createTables(this.sql);
    // Typing was once stored; the table of older rooms goes (nothing in it outlives 8 s).
    this.sql.exec("DROP TABLE IF EXISTS typing");
    this.tablesReady = true;
  }

  /** A REST or integration send (src/room/send/room-send.ts): the message or the error, and what it cost. */
  async send(request: RoomSendRequest) {
    if (request.unfurl === false) this.previews.optOut(request.messageId);
    const result = await runSend(this.context(request.channelId), request);
    // Previews start after the message's flush (afterFlush), replies included.
    if ("error" in result && request.unfurl === false) this.previews.forget(request.messageId);
    return result;
  }

  /** Scheduling, editing or cancelling a scheduled message (src/room/scheduled/scheduler.ts). Not named `scheduled`: that name is the cron handler's, which RPC refuses. */
  async scheduledMessage(call: ScheduledCall) {
    return this.scheduler.handle(call);
  }

  /** Any other change of the channel (src/room/changes.ts): the value or the error, and what it cost. */
  async change(request: RoomChangeRequest) {
    // A rights change may have taken away someone's right to post: every remembered verdict goes.
    const result = await runChange(this.context(request.channelId), this.order, request, () => this.sends.forgetVerdicts());
    // An edit that changed the links fetches again (the previews read the message as D1 now holds it).
    if (request.name === "editMessage" && "value" in result) this.previews.start(request.channelId, (request.args as [string, string, string])[2]);
    return result;
  }

  private context(channelId: string): RoomContext {
    return { env: this.env, local: { channelId, room: this }, waitUntil: (work) => this.ctx.waitUntil(work), sends: this.sends, order: this.order, sendBudgets: this.sendBudgets };
  }

  /**
   * Stores a state-changing event under the next seq and sends it to every socket. `eventId` makes
   * it idempotent: a retry of a call whose answer was lost gets the first call's seq, nothing more.
   */
  async publish(channelId: string, type: SequencedType, data: unknown, eventId?: string): Promise<number | InjectedFault> {
    return this.injectedFault() ?? this.append(channelId, type, data, eventId);
  }

  /** publish's work, without the test-only fault (removeMember and deleteChannel check it once, first). */
  private append(channelId: string, type: SequencedType, data: unknown, eventId?: string): number {
    this.tables();
    // Who may post may have changed: sends read it again.
    if (type.startsWith("member_") || type.startsWith("channel_")) this.sends.forgetVerdicts();
    const { seq, text } = this.log.append(channelId, type, data, eventId);
    if (text) this.broadcast(text);
    return seq;
  }

  /** Ephemeral event (read cursor) to one user's own sockets. */
  async sendTo(channelId: string, userId: string, type: EphemeralType, data: unknown) {
    this.broadcast(frame(type, channelId, null, data), userId);
  }

  /** Ephemeral event (a read receipt) to every socket of the channel but those of users its reader blocked. */
  async sendToAll(channelId: string, type: EphemeralType, data: unknown) {
    this.broadcast(frame(type, channelId, null, data), undefined, undefined, (data as { user_id?: string }).user_id);
  }

  /** Marks the user typing for 8 s; at most one `typing` event per user per 3 s. */
  async typing(channelId: string, userId: string) {
    const now = Date.now();
    const last = this.typists.get(userId);
    const emit = !last || last.until < now || now - last.emittedAt >= TYPING_EVENT_INTERVAL_MS;
    // Re-inserted, so the map stays ordered by `until` (most recent last).
    this.typists.delete(userId);
    this.typists.set(userId, { until: now + TYPING_MS, emittedAt: emit ? now : last!.emittedAt });
    for (const [id, t] of this.typists) if (t.until < now) this.typists.delete(id);
    // To everyone else: the typer's own devices know they are typing.
    if (emit) this.broadcast(frame("typing", channelId, null, { user_id: userId }), undefined, userId, userId);
  }

  /** Users typing now, most recent last. */
  async typingUsers(): Promise<string[]> {
    const now = Date.now();
    return [...this.typists].filter(([, t]) => t.until > now).map(([id]) => id);
  }

  /** Announces the removal (`reason` "banned" after a ban), then closes the removed user's sockets (4003). Idempotent by `eventId`. */
  async removeMember(channelId: string, userId: string, eventId?: string, reason?: "banned"): Promise<number | InjectedFault> {
    const fault = this.injectedFault();
    if (fault) return fault;
    const seq = this.append(channelId, "member_remove", reason ? { user_id: userId, reason } : { user_id: userId }, eventId);
    this.typists.delete(userId);
    for (const ws of this.ctx.getWebSockets(userId)) closeQuietly(ws, CLOSE_REMOVED, reason === "banned" ? "banned from channel" : "removed from channel");
    await this.reportSockets(userId, channelId);
    return seq;
  }

  /** An app-wide ban (DESIGN §15): the user's sockets here close (4003); no event, since their membership is unchanged. */
  async closeUserSockets(channelId: string, userId: string, reason: string) {
    for (const ws of this.ctx.getWebSockets(userId)) closeQuietly(ws, CLOSE_REMOVED, reason);
    this.typists.delete(userId);
    this.sends.forget(`u:${userId}`);
    await this.reportSockets(userId, channelId);
  }

  /** Erasure (DESIGN §17): the room forgets the user (src/room/forget-user.ts). */
  async forgetUser(userId: string) {
    this.tables();
    await forgetUser(
      {
        sql: this.sql,
        allFlushed: () => this.sends.wal.allFlushed(),
        currentSeq: () => this.log.currentSeq(),
        firstUnflushed: () => this.flusher.firstUnflushed(),
        socketsOf: (id) => this.ctx.getWebSockets(id),
        forgetTyping: (id) => this.typists.delete(id),
        forgetVerdicts: () => this.sends.forgetVerdicts(),
      },
      userId,
    );
  }

  /** Announces the deletion, closes every socket (4004) and forgets everything. Safe to repeat. */
  async deleteChannel(channelId: string, eventId?: string): Promise<void | InjectedFault> {
    const fault = this.injectedFault();
    if (fault) return fault;
    this.append(channelId, "channel_delete", { id: channelId }, eventId);
    await this.scheduler.run.channelDeleted(roomDeps(this.context(channelId), emptyStats(), crypto.randomUUID()), channelId);
    const users = new Set(this.ctx.getWebSockets().map((ws) => (ws.deserializeAttachment() as SocketInfo | null)?.userId));
    for (const ws of this.ctx.getWebSockets()) closeQuietly(ws, CLOSE_CHANNEL_DELETED, "channel deleted");
    await this.ctx.storage.deleteAll();
    this.scheduledStore.forget();
    this.typists.clear();
    this.log.forget();
    // This instance may be called again (a retried delete): its tables are created again on use.
    this.tablesReady = false;
    await Promise.all([...users].map((userId) => userId && this.reportSockets(userId, channelId)));
  }

  /**
   * The one scheduler (§6): armed for the earliest deadline (a flush retry, the check that what was
   * accepted reached D1, the next scheduled message); its handler never throws, and re-arms while
   * anything waits. The scheduled messages' deadline is taken here too, so an alarm armed by a new
   * instance (which does not know the stored one) never lands after a scheduled message's time.
   */
  private arm(at: number) {
    at = Math.min(at, this.scheduler.run.deadline() ?? Infinity);
    if (this.alarmAt !== undefined && this.alarmAt <= at && this.alarmAt > Date.now()) return;
    this.alarmAt = at;
    this.ctx.waitUntil(this.ctx.storage.setAlarm(at).catch(() => (this.alarmAt = undefined)));
  }

  async alarm() {
    this.alarmAt = undefined;
    this.alarms++;
    try {
      this.tables();
      await this.flusher.resume();
      if (this.flusher.firstUnflushed() !== undefined) this.arm(Date.now() + 1000);
      await this.scheduler.run.wake();
    } catch (err) {
      console.error(JSON.stringify({ level: "error", room: "alarm", error: String(err) }));
      this.arm(Date.now() + 1000);
    }
  }

  /**
   * After a flush: webhooks and pushes for what it wrote (a receiver that reads the message back finds it), each
   * message's own first, then its changes made before the flush; the bytes of uploads deleted with it.
   */
  private afterFlush(ops: FlushOp[]) {
    const deps = roomDeps(this.context(ops[0]!.row.channelId), emptyStats(), crypto.randomUUID());
    const after = async (op: FlushOp) => {
      await emitToWebhooks(deps, "message", op.row.channelId, op.message);
      // Deleted before its flush: nobody is woken for it, nothing of it is fetched.
      if (op.row.deletedAt == null) await queuePush(this.env, op.message);
      for (const e of op.webhooks ?? []) await emitToWebhooks(deps, e.type, op.row.channelId, e.data);
      if (op.removedAssets?.length) await removeUploads(deps, op.removedAssets);
    };
    for (const op of ops) this.ctx.waitUntil(after(op));
    for (const op of ops) if (op.row.deletedAt == null) this.previews.start(op.row.channelId, op.row.id, op.shard, op.row.body);
  }

  /** Tests only: pause flushes (D1 then trails the room), or make the next `n` flush attempts fail. */
  async pauseFlushes(paused: boolean) {
    if (!this.faults) throw new Error("fault injection is disabled");
    this.flusher.paused = paused;
    if (!paused) this.flusher.kick();
  }

  /** Operators and benches: what this instance of the room did (counted since it started) and what waits. */
  async stats() {
    this.tables();
    const run = this.scheduler.run;
    const scheduled = { waiting: run.waiting(), ...run.counts, next_due: this.scheduledStore.nextDue() };
    return { seq: this.log.currentSeq(), unflushed: this.flusher.backlog().waiting, flushed_messages: this.flusher.counts.messages, flushes: this.flusher.counts.flushes, d1_transactions: this.flusher.counts.transactions, directory_transactions: this.flusher.counts.directory, sockets: this.ctx.getWebSockets().length, alarms: this.alarms, scheduled };
  }

  /**
   * Tests and benches: resolves once everything this room accepted is in D1 — the shard (its flushes)
   * and the directory (the queue's consumer has applied the last update: `channels.applied_stamp`);
   * at most about 10 s.
   */
  async settle() {
    await this.sends.wal.allFlushed();
    const queued = this.flusher.lastQueued;
    if (!queued) return;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
      const row = await this.env.DB.prepare("SELECT applied_stamp AS stamp FROM channels WHERE id = ?").bind(queued.channelId).first<{ stamp: number }>();
      if (!row || row.stamp >= queued.stamp) return;
    }
  }

  /** Tests only: a smaller backlog bound, so a test reaches it without a thousand sends. */
  async limitBacklog(n: number) {
    if (!this.faults) throw new Error("fault injection is disabled");
    this.flusher.backlogMax = n;
  }

  async failNextFlushes(n: number) {
    if (!this.faults) throw new Error("fault injection is disabled");
    this.flusher.failNext = n;
  }

  /** Tests only: the next `n` state-changing calls throw, as an unreachable or overloaded room would. */
  async failNextCalls(n: number) {
    if (!this.faults) throw new Error("fault injection is disabled");
    this.tables();
    failNext(this.sql, n);
  }

  /** Tests only: the next change to reach `point` waits there until `release` (src/realtime/faults.ts). */
  async holdAt(point: string) {
    if (!this.faults) throw new Error("fault injection is disabled");
    this.sends.checkpoints.hold(point);
  }

  async reached(point: string) {
    await this.sends.checkpoints.reached(point);
  }

  async release(point: string) {
    this.sends.checkpoints.release(point);
  }

  /** Tests only: changes waiting for their turn (ChangeOrder.waitingNow). */
  async waitingChanges() {
    return this.order.waitingNow();
  }

  /** Tests only: a failure to return (not throw: see InjectedFault) when the test asked for one. */
  private injectedFault(): InjectedFault | undefined {
    if (!this.faults) return undefined;
    this.tables();
    return injectedFault(this.sql, "room");
  }

  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer) {
    const info = ws.deserializeAttachment() as SocketInfo | null;
    if (!info) return;
    // Every frame spends its socket's budget (a big one more: one token per 16 KiB); past it, or with
    // too many frames waiting, the socket is closed (src/room/socket-limits.ts).
    const bytes = typeof message === "string" ? utf8Length(message) : message.byteLength;
    const budget = this.frameBudgets.get(ws) ?? this.frameBudgets.set(ws, new TokenBucket(FRAME_BUDGET, FRAME_REFILL_PER_S)).get(ws)!;
    const queued = (this.queuedFrames.get(ws) ?? 0) + 1;
    let affordable = true;
    for (let cost = Math.max(1, Math.ceil(bytes / 16_384)); cost > 0 && affordable; cost--) affordable = budget.take();
    if (!affordable || queued > MAX_QUEUED_FRAMES) {
      closeQuietly(ws, 1008, !affordable ? "frame budget spent" : "too many frames waiting");
      return;
    }
    if (bytes > MAX_FRAME_BYTES) {
      // Not parsed: a frame this size is refused whatever it says.
      sendQuietly(ws, sendAnswer("error", info.channelId, null, { code: "PAYLOAD_TOO_LARGE", message: `Frames are limited to ${MAX_FRAME_BYTES} bytes` }));
      return;
    }
    this.queuedFrames.set(ws, queued);
    // One socket's frames are handled one at a time, in arrival order: the runtime delivers the next
    // frame while a send still awaits D1, and two sends must give two acks and two messages in order.
    const turn = (this.socketTurns.get(ws) ?? Promise.resolve())
      .then(() => this.handleFrame(ws, info, message))
      // A failed frame must not stop the socket's later ones (a rejected chain would skip them all).
      .catch((err) => console.error(JSON.stringify({ level: "error", realtime: "frame", channel_id: info.channelId, error: String(err) })))
      .finally(() => this.queuedFrames.set(ws, (this.queuedFrames.get(ws) ?? 1) - 1));
    this.socketTurns.set(ws, turn);
    await turn;
  }

  /** Answers one client frame. */
  private async handleFrame(ws: WebSocket, info: SocketInfo, message: string | ArrayBuffer) {
    const text = typeof message === "string" ? message : "";
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // Not JSON (or binary): INVALID_FRAME below.
    }
    if (isSendAttempt(value)) {
      sendQuietly(ws, await answerSend(this.context(info.channelId), info, value));
      return;
    }
    const parsed = ClientFrame.safeParse(value);
    if (parsed.success && parsed.data.type === "typing") {
      if (!info.canPost) {
        sendQuietly(ws, frame("error", info.channelId, null, { code: "CHAT_BROADCAST_ONLY", message: "You cannot post here, so typing is not shown" }));
        return;
      }
      // A mute may have begun since the socket opened: the room's verdict (or one read) says (§15).
      const muted = await this.mutedNow(info);
      if (muted) {
        sendQuietly(ws, frame("error", info.channelId, null, muted));
        return;
      }
      await this.typing(info.channelId, info.userId);
      return;
    }
    sendQuietly(ws, frame("error", info.channelId, null, { code: "INVALID_FRAME", message: 'Send {"type":"typing"}, {"type":"send",…} or the text "ping"' }));
  }

  /** The CHAT_MUTED error data while the socket's user is muted here, else undefined. */
  private async mutedNow(info: SocketInfo) {
    const verdict = this.sends.verdict(`u:${info.userId}`) ?? (await readPosting(createDb(this.env.DB), info.channelId, info.userId, { kind: "member" }));
    try {
      refuseMuted(verdict.access?.standing);
      return undefined;
    } catch (err) {
      return { code: (err as ApiError).code, message: (err as ApiError).message };
    }
  }

  async webSocketClose(ws: WebSocket, code: number, reason: string) {
    closeQuietly(ws, code === 1005 ? 1000 : code, reason);
    const info = ws.deserializeAttachment() as SocketInfo | null;
    if (info) await this.reportSockets(info.userId, info.channelId, ws);
  }

  /** Presence: `userId` went online or offline; their own sockets are not told (ephemeral, seq null). */
  async presence(channelId: string, userId: string, online: boolean) {
    this.broadcast(frame("presence", channelId, null, { user_id: userId, online }), undefined, userId, userId);
  }

  /**
   * `blockerId` blocked (or unblocked) `blockedId`: the blocked user's open sockets here stop (or
   * start again) hearing the blocker's presence, typing and receipts; they see the blocker go offline
   * (or, unblocked and connected here, online).
   */
  async blockChanged(channelId: string, blockerId: string, blockedId: string, blocked: boolean) {
    const sockets = this.ctx.getWebSockets(blockedId);
    for (const ws of sockets) {
      const info = ws.deserializeAttachment() as SocketInfo | null;
      if (!info) continue;
      const others = (info.hiddenFrom ?? []).filter((id) => id !== blockerId);
      ws.serializeAttachment({ ...info, hiddenFrom: blocked ? [...others, blockerId] : others } satisfies SocketInfo);
    }
    const online = !blocked && this.ctx.getWebSockets(blockerId).length > 0;
    if (sockets.length && (blocked || online)) this.broadcast(frame("presence", channelId, null, { user_id: blockerId, online }), blockedId);
  }

  /** Tells the user's hub how many of their sockets are open here (presence counts every socket). */
  private async reportSockets(userId: string, channelId: string, closing?: WebSocket) {
    if (!this.hubs) return;
    const count = this.ctx.getWebSockets(userId).filter((ws) => ws !== closing && ws.readyState === WebSocket.OPEN).length;
    await reportChannelSockets(this.hubs, userId, channelId, count);
  }


  /**
   * To every socket (or only `userId`'s), skipping `exceptUserId`'s (sockets are tagged by user) and,
   * for an ephemeral frame about `about`, the sockets of users `about` blocked.
   */
  private broadcast(text: string, userId?: string, exceptUserId?: string, about?: string) {
    for (const ws of this.ctx.getWebSockets(userId)) {
      if (exceptUserId && this.ctx.getTags(ws).includes(exceptUserId)) continue;
      if (about && (ws.deserializeAttachment() as SocketInfo | null)?.hiddenFrom?.includes(about)) continue;
      try {
        ws.send(text);
      } catch {
        // A socket closing as we send: its close handler cleans up.
      }
    }
  }
}

/** Bytes of a text frame, encoded only when it could be over the limit (3 bytes a UTF-16 unit at most). */
const utf8Length = (text: string) => (text.length * 3 <= MAX_FRAME_BYTES ? text.length : new TextEncoder().encode(text).byteLength);
