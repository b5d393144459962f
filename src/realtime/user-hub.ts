import type { PushJob } from "../env";
import { DurableObject } from "cloudflare:workers";
import type { ChannelRoomRpc, UserHubRpc } from "../room/wire";
import { type InjectedFault, failNext, injectedFault } from "./faults";
import { HUB_USER_HEADER, type HubSequencedType, type PresenceHub, ROOM_TICKET_HEADER, closeQuietly, hubFrame, refusal } from "../room/protocol";
import { consumeTicket, createTicketTable } from "./tickets";
import { HUB_OPEN, presenceChannels, readHubActiveUntil, writeUserSockets } from "./sockets.queries";
import { HubReminders } from "./reminders";

/** After the last user socket closes, messages are still handed to the hub this long (a quick reconnect replays them). */
export const HUB_WINDOW_MS = 2 * 60 * 1000;
const REPLAY_FRAMES = 1000;
const REPLAY_MS = 10 * 60 * 1000;

/** The bindings the hub uses (not the Worker's Env type, which names this class). */
interface HubEnv {
  DB: D1Database;
  CHANNEL_ROOM: DurableObjectNamespace<ChannelRoomRpc>;
  /** Pushes for reminders that fire while the user is offline (src/push/consume.ts). */
  PUSH: Queue<PushJob>;
  FAULT_INJECTION?: string;
}

/** What the hub last wrote to `user_sockets`, so it writes only on transitions. */
interface Written {
  until: number;
  online: boolean;
}

/**
 * One per user: the user socket (`GET /v1/ws`) with its own gap-free `seq` and replay log, and the
 * authority on the user's presence. Hibernatable (no timers); state in the object's SQLite storage.
 * It writes `user_sockets` on transitions only: first user socket opened / last closed (senders
 * read `hub_active_until` to decide whether to call this hub at all), online / offline.
 */
export class UserHub extends DurableObject<HubEnv> implements PresenceHub, UserHubRpc {
  private readonly sql: SqlStorage;
  /** Writes to the directory, one at a time, each writing the state as it is when it runs. */
  private syncing: Promise<void> = Promise.resolve();
  /** Presence fan-outs to rooms, in transition order; nobody waits for them (a connect must not wait for 1,000 rooms). */
  private telling: Promise<void> = Promise.resolve();
  /** Sockets whose close is being handled (still listed by getWebSockets meanwhile). */
  private readonly closing = new WeakSet<WebSocket>();
  /** The user's reminders, fired by this hub's alarm (src/realtime/reminders.ts). */
  private readonly reminders: HubReminders;

  constructor(ctx: DurableObjectState, env: HubEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS frames (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, frame TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS event_keys (event_id TEXT PRIMARY KEY, seq INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS event_keys_seq ON event_keys (seq);
      CREATE TABLE IF NOT EXISTS channel_sockets (channel_id TEXT PRIMARY KEY, count INTEGER NOT NULL);
    `);
    createTicketTable(this.sql);
    this.reminders = new HubReminders(
      this.sql,
      ctx.storage,
      async (data, eventId) => {
        const userId = this.getMeta("user_id")!;
        await this.deliver(userId, "reminder", data, eventId);
        // Offline (no socket got the frame): a push, when the user has browsers subscribed (src/push/consume.ts).
        const reminder = data as Extract<PushJob, { kind: "reminder" }>["reminder"];
        await env.PUSH.send({ kind: "reminder", userId, reminder } satisfies PushJob, { contentType: "json" });
      },
      (id) => env.DB.prepare("DELETE FROM reminders WHERE id = ?").bind(id).run(),
    );
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /** The user socket upgrade, already authenticated by the Worker. */
  async fetch(request: Request): Promise<Response> {
    const userId = request.headers.get(HUB_USER_HEADER);
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket" || !userId) {
      return new Response("Expected an authenticated WebSocket upgrade", { status: 426 });
    }
    this.setUser(userId);
    const since = new URL(request.url).searchParams.get("since_seq");
    // Reconnecting after the window: senders may have skipped this hub, so the log cannot be trusted.
    const lapsed = since !== null && this.openUserSockets().length === 0 && (await readHubActiveUntil(this.env.DB, userId)) <= Date.now();
    const ticket = request.headers.get(ROOM_TICKET_HEADER)?.split(" ");
    if (ticket && !consumeTicket(this.sql, ticket[0]!, Number(ticket[1]))) return refusal(401, "AUTH_INVALID_TOKEN", "This ticket was used already: a ticket opens one socket");
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, ["user"]);
    const seq = this.currentSeq();
    server.send(hubFrame("ready", null, { user_id: userId, seq }));
    if (since !== null) this.replay(server, Number(since), seq, lapsed);
    // Senders must see this socket before the client can act on `ready`.
    await this.sync();
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * Stores a frame under the user's next seq and sends it to every user socket. Idempotent by
   * `eventId`: a retried delivery gets the first one's seq and sends nothing.
   */
  async deliver(userId: string, type: HubSequencedType, data: unknown, eventId: string): Promise<number | InjectedFault> {
    // Tests only: returned, not thrown (see InjectedFault); performHubCall raises it.
    const fault = this.env.FAULT_INJECTION === "true" ? injectedFault(this.sql, "hub") : undefined;
    if (fault) return fault;
    this.setUser(userId);
    const known = this.sql.exec<{ seq: number }>("SELECT seq FROM event_keys WHERE event_id = ?", eventId).toArray()[0];
    if (known) return known.seq;
    const seq = this.currentSeq() + 1;
    const now = Date.now();
    const text = hubFrame(type, seq, data);
    this.sql.exec("INSERT INTO frames (seq, at, frame) VALUES (?, ?, ?)", seq, now, text);
    this.sql.exec("INSERT INTO event_keys (event_id, seq) VALUES (?, ?)", eventId, seq);
    this.setMeta("seq", String(seq));
    this.prune(seq, now);
    for (const ws of this.openUserSockets()) {
      try {
        ws.send(text);
      } catch {
        // Closing as we send: its close handler cleans up.
      }
    }
    return seq;
  }

  /** A channel room reports how many sockets this user has open on it (absolute: retries are harmless). */
  async channelSockets(userId: string, channelId: string, count: number): Promise<void> {
    this.setUser(userId);
    if (count > 0) this.sql.exec("INSERT INTO channel_sockets (channel_id, count) VALUES (?, ?) ON CONFLICT(channel_id) DO UPDATE SET count = excluded.count", channelId, count);
    else this.sql.exec("DELETE FROM channel_sockets WHERE channel_id = ?", channelId);
    await this.sync();
  }

  /**
   * Erasure (DESIGN §17): the user's sockets close (4003) and the replay log, with its frames naming
   * them and their channels, is emptied, as are the hub's other tables. Idempotent.
   */
  async forget() {
    for (const ws of this.ctx.getWebSockets()) closeQuietly(ws, 4003, "account deleted");
    for (const table of ["frames", "event_keys", "channel_sockets", "meta", "used_tickets", "reminders"]) this.sql.exec(`DELETE FROM ${table}`);
  }

  /** A reminder to fire at `at` (its directory row is written already: src/features/reminders/). */
  async remind(userId: string, reminder: { id: string }, at: number) {
    this.setUser(userId);
    await this.reminders.add(reminder.id, reminder, at);
  }

  /** The reminder will not fire (deleted by its owner). */
  async forgetReminder(id: string) {
    await this.reminders.remove(id);
  }

  async alarm() {
    await this.reminders.wake();
  }

  /** Tests: reminders waiting, and wakes that fired some. */
  async reminderStats() {
    return { waiting: this.reminders.waiting(), wakes: this.reminders.wakes };
  }

  /**
   * An app-wide ban (DESIGN §15): the user's sockets close (4003), and the caller learns the channels
   * whose rooms hold their channel sockets (the rooms report them here), to close those too. The log stays.
   */
  async disconnect(reason: string): Promise<string[]> {
    for (const ws of this.ctx.getWebSockets()) closeQuietly(ws, 4003, reason);
    return this.sql.exec<{ channel_id: string }>("SELECT channel_id FROM channel_sockets").toArray().map((r) => r.channel_id);
  }

  /** Tests and benches: the current seq (= frames ever stored), open user sockets, reported channel sockets. */
  async stats() {
    const channelSockets = this.sql.exec<{ n: number }>("SELECT coalesce(sum(count), 0) AS n FROM channel_sockets").one().n;
    return { seq: this.currentSeq(), userSockets: this.openUserSockets().length, channelSockets, online: this.written()?.online ?? false };
  }

  /** Tests only (FAULT_INJECTION=true): the next `n` deliveries throw, as an unreachable hub would. */
  async failNextCalls(n: number) {
    if (this.env.FAULT_INJECTION !== "true") throw new Error("fault injection is disabled");
    failNext(this.sql, n);
  }

  async webSocketMessage(ws: WebSocket) {
    ws.send(hubFrame("error", null, { code: "INVALID_FRAME", message: 'The user socket takes no frames but the text "ping"' }));
  }

  async webSocketClose(ws: WebSocket, code: number, reason: string) {
    this.closing.add(ws);
    closeQuietly(ws, code === 1005 ? 1000 : code, reason);
    await this.sync();
  }

  async webSocketError(ws: WebSocket) {
    this.closing.add(ws);
    await this.sync();
  }

  private openUserSockets() {
    return this.ctx.getWebSockets("user").filter((ws) => !this.closing.has(ws) && ws.readyState === WebSocket.OPEN);
  }

  /** Queues a directory write of the state as it will be when the write runs; resolves when done. */
  private sync(): Promise<void> {
    this.syncing = this.syncing.then(() =>
      this.writeState().catch((err) => console.error(JSON.stringify({ level: "warn", hub: "sync", error: String(err) }))),
    );
    return this.syncing;
  }

  private async writeState() {
    const userId = this.getMeta("user_id");
    if (!userId) return;
    const now = Date.now();
    const before = this.written();
    const userSockets = this.openUserSockets().length;
    const channelSockets = this.sql.exec<{ n: number }>("SELECT coalesce(sum(count), 0) AS n FROM channel_sockets").one().n;
    const until = userSockets > 0 ? HUB_OPEN : before?.until === HUB_OPEN ? now + HUB_WINDOW_MS : (before?.until ?? 0);
    const online = userSockets + channelSockets > 0;
    if (before && before.until === until && before.online === online) return;
    // Senders decide from this row whether to call the hub: a few quick retries before giving up (logged).
    for (let attempt = 1; ; attempt++) {
      try {
        await writeUserSockets(this.env.DB, userId, until, online, now);
        break;
      } catch (err) {
        if (attempt === 3) throw err;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
    this.setMeta("written", JSON.stringify({ until, online } satisfies Written));
    if ((before?.online ?? false) !== online) {
      this.telling = this.telling.then(() => this.tellRooms(userId, online));
      this.ctx.waitUntil(this.telling);
    }
  }

  /** Presence: the rooms of the user's DMs and small groups tell their sockets. Ephemeral, so best effort. */
  private async tellRooms(userId: string, online: boolean) {
    const channelIds = await presenceChannels(this.env.DB, userId).catch((err: unknown) => {
      console.error(JSON.stringify({ level: "warn", hub: "presence", error: String(err) }));
      return [];
    });
    await Promise.all(
      channelIds.map((id) =>
        this.env.CHANNEL_ROOM.getByName(id)
          .presence(id, userId, online)
          .catch((err: unknown) => console.error(JSON.stringify({ level: "warn", hub: "presence", channel_id: id, error: String(err) }))),
      ),
    );
  }

  /** Everything after `since` in order, or `resync_required` when the log cannot cover the gap. */
  private replay(ws: WebSocket, since: number, seq: number, lapsed: boolean) {
    this.prune(seq, Date.now());
    if (since === seq && !lapsed) return;
    const oldest = this.sql.exec<{ seq: number }>("SELECT seq FROM frames ORDER BY seq LIMIT 1").toArray()[0]?.seq;
    const complete = !lapsed && Number.isInteger(since) && since >= 0 && since < seq && oldest !== undefined && oldest <= since + 1;
    if (!complete) {
      ws.send(hubFrame("resync_required", null, { seq, since_seq: since }));
      return;
    }
    for (const row of this.sql.exec<{ frame: string }>("SELECT frame FROM frames WHERE seq > ? ORDER BY seq", since)) ws.send(row.frame);
  }

  /** Keeps the last 1000 frames of the last 10 minutes. Seq and time grow together, so both cut a prefix. */
  private prune(seq: number, now: number) {
    this.sql.exec("DELETE FROM frames WHERE seq <= ? OR at < ?", seq - REPLAY_FRAMES, now - REPLAY_MS);
    this.sql.exec("DELETE FROM event_keys WHERE seq <= ?", seq - REPLAY_FRAMES);
  }

  private currentSeq = () => Number(this.getMeta("seq") ?? 0);
  private written = (): Written | undefined => JSON.parse(this.getMeta("written") ?? "null") ?? undefined;

  private setUser(userId: string) {
    if (this.getMeta("user_id") !== userId) this.setMeta("user_id", userId);
  }

  private getMeta(key: string): string | undefined {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value;
  }

  private setMeta(key: string, value: string) {
    this.sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value);
  }
}
