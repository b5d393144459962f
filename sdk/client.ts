// ChatClient: typed REST (Hono's hc over the Worker's AppType), token refresh on 401, idempotent
// sends (over the channel socket when open, else REST), uploads with progress, one reconnecting
// socket per subscribed channel and the user socket for everything else.
import { hc } from "hono/client";
import type { AppType } from "../src/index";
import { Emitter } from "./emitter";
import { ChatApiError, randomId } from "./errors";
import { RETRY_LATER, type RetryOptions, isSafeMethod, retryAfterMs, retryDelay } from "./retry";
import { type BackoffOptions, ReconnectingSocket, type ServerFrame, type SocketStatus } from "./socket";
import { UserSocket } from "./user-socket";
import type {
  Api, Attachment, Ban, Channel, ChannelEventMap, Me, Member, Message, MessagePage, Mute, Person, Profile, Report, ReportPage, ReportReason, ResolveReport, Room,
  SendMessage, ThumbnailSize,
} from "./types";
import { sendBytes, type UploadProgress } from "./upload";

export interface ChatClientOptions {
  /** The API's origin, e.g. "https://chat.example.com" (in the web client: location.origin). */
  baseUrl: string;
  token?: string;
  /** Called once when a request gets 401: return a fresh token (the request is then retried). */
  refreshToken?: () => Promise<string>;
  fetch?: typeof fetch;
  WebSocket?: typeof WebSocket;
  backoff?: BackoffOptions;
  pingIntervalMs?: number;
  /** Reads (GET/HEAD) answered 503 or 429 are repeated after Retry-After, with capped backoff and jitter. */
  retry?: RetryOptions;
}

/** A channel event as the client emits it. */
export interface ChannelEvent<K extends keyof ChannelEventMap = keyof ChannelEventMap> {
  channelId: string;
  type: K;
  seq: number | null;
  data: ChannelEventMap[K];
}

export type ChatClientEvents = { [K in keyof ChannelEventMap]: ChannelEvent<K> } & {
  /** Every channel frame, sequenced or not (ready, resync_required, error included). */
  frame: { channelId: string; frame: ServerFrame };
  /** A channel socket is live; `replayed`: what was missed while away has been delivered. */
  ready: { channelId: string; seq: number; replayed: boolean };
  /** Events were lost beyond replay: refetch this channel's history and state. */
  resync: { channelId: string };
  status: { channelId: string; status: SocketStatus };
  /** The server ended this subscription (removed: 4003, channel deleted: 4004). */
  closed: { channelId: string; code: number };
  /** Who is online in a DM or group (≤ 100 members), from the channel socket's `ready`. */
  presence_state: { channelId: string; onlineUserIds: string[] };
  /** Someone came online or went offline (DMs and groups ≤ 100; never about yourself). */
  presence: { channelId: string; userId: string; online: boolean };
};

/** What hc's ClientResponse and the platform's Response share (workers-types adds members hc lacks). */
type ResponseLike = Pick<Response, "ok" | "status" | "statusText" | "headers" | "json">;

type Ok<R> = R extends { ok: true; json(): Promise<infer T> } ? T : never;

export interface SendOptions {
  /** The Idempotency-Key; one is generated per message. Retries reuse it, so a message is stored once. */
  idempotencyKey?: string;
  /** Attempts on network errors, 429 and 5xx (default 6, with backoff; 429/503 wait for Retry-After first). */
  attempts?: number;
  /**
   * "auto" (default): over the channel socket when it is open (ack/error by `client_msg_id` = the
   * Idempotency-Key, resent after a reconnect), else REST. "rest": always REST.
   */
  via?: "auto" | "rest";
  /** How long a socket send waits for its ack before falling back to REST with the same key (ms, default 15 s). */
  ackTimeoutMs?: number;
}

/** A socket send waiting for its ack. */
interface InFlight {
  frame: Record<string, unknown>;
  resolve(m: Message): void;
  reject(err: Error): void;
}

export interface UploadOptions {
  filename?: string;
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}

/** Uploads above this go through the signed upload URL (up to 100 MiB) instead of POST /v1/attachments. */
const DIRECT_UPLOAD_LIMIT = 25 * 1024 * 1024;

export class ChatClient extends Emitter<ChatClientEvents> {
  /** The typed REST client: every route of the API, checked by the compiler (`client.api.v1.…`). */
  readonly api: Api;
  readonly baseUrl: string;
  #token: string | undefined;
  #refresh: Promise<string> | null = null;
  #opts: ChatClientOptions;
  #fetchImpl: typeof fetch;
  #sockets = new Map<string, ChannelSubscription>();
  #inflight = new Map<string, Map<string, InFlight>>(); // channel → client_msg_id → waiter
  #user: UserSocket | null = null;

  constructor(opts: ChatClientOptions) {
    super();
    this.#opts = opts;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    this.#token = opts.token;
    this.#fetchImpl = opts.fetch ?? ((input, init) => fetch(input, init));
    this.api = hc<AppType>(this.baseUrl, { fetch: (input: RequestInfo | URL, init?: RequestInit) => this.#fetch(input, init) });
  }

  /** Mints a dev token (only while the server runs with DEV_LOGIN=true). */
  static async devLogin(baseUrl: string, sub: string, name?: string, fetchImpl: typeof fetch = fetch): Promise<{ token: string; expires_at: number }> {
    const api = hc<AppType>(baseUrl.replace(/\/+$/, ""), { fetch: fetchImpl });
    return unwrap(api.v1.dev.token.$post({ json: { sub, name } }));
  }

  get token(): string | undefined {
    return this.#token;
  }

  setToken(token: string | undefined): void {
    this.#token = token;
  }

  /**
   * fetch with the current token; a 401 asks `refreshToken` once and retries (bodies here are
   * strings). A read answered 503 or 429 is repeated (it cannot change anything) after the
   * server's Retry-After; writes are not (a send retries on its own, with its Idempotency-Key).
   */
  async #fetch(input: RequestInfo | URL, init: RequestInit = {}, retried = false): Promise<Response> {
    const attempts = isSafeMethod(init.method) ? (this.#opts.retry?.attempts ?? 4) : 1;
    for (let attempt = 0; ; attempt++) {
      const headers = new Headers(init.headers);
      if (this.#token) headers.set("Authorization", `Bearer ${this.#token}`);
      const res = await this.#fetchImpl(input, { ...init, headers });
      if (res.status === 401 && !retried && (await this.#refreshed())) return this.#fetch(input, init, true);
      if (!RETRY_LATER.has(res.status) || attempt + 1 >= attempts) return res;
      const wait = retryDelay(attempt, retryAfterMs(res.headers), this.#opts.retry);
      if (wait === null) return res;
      await res.body?.cancel(); // the refused answer is not read: free its connection
      await sleep(wait);
    }
  }

  /** Refreshes the token (one refresh at a time, however many requests got 401). */
  async #refreshed(): Promise<boolean> {
    if (!this.#opts.refreshToken) return false;
    this.#refresh ??= this.#opts.refreshToken().finally(() => (this.#refresh = null));
    try {
      this.#token = await this.#refresh;
      return true;
    } catch {
      return false;
    }
  }

  // ---- REST -------------------------------------------------------------------------------------

  me(): Promise<Me> {
    return unwrap(this.api.v1.users.me.$get());
  }

  /**
   * People whose id, or any word of whose display name, starts with `q` (case and accents ignored),
   * best matches first, you left out; `limit` 1–50 (default 20). Users exist once they have signed
   * in or been provisioned, so this is how an app offers someone to message or add.
   */
  async users(q: string, limit?: number): Promise<Person[]> {
    const { users } = await unwrap(this.api.v1.users.$get({ query: { q, ...(limit ? { limit: String(limit) } : {}) } }));
    return users;
  }

  /** A user's profile; a ChatApiError with code `CHAT_USER_NOT_FOUND` (404) when there is no such user. */
  user(userId: string): Promise<Profile> {
    return unwrap(this.api.v1.users[":userID"].$get({ param: { userID: userId } }));
  }

  /** Your channels, latest activity first, with unread counts. */
  channels(opts: { includeHidden?: boolean } = {}): Promise<Channel[]> {
    return unwrap(this.api.v1.channels.$get({ query: opts.includeHidden ? { include_hidden: "true" } : {} }));
  }

  channel(channelId: string) {
    return unwrap(this.api.v1.channels[":channelID"].$get({ param: { channelID: channelId } }));
  }

  /** Opens (or reopens) the DM with a user. */
  createDm(userId: string) {
    return unwrap(this.api.v1.channels.$post({ json: { type: "dm", user_id: userId } }));
  }

  createGroup(name: string, memberIds: string[] = [], type: "group" | "room" = "group") {
    return unwrap(this.api.v1.channels.$post({ json: { type, name, member_ids: memberIds } }));
  }

  /** Members with display names, earliest joined first. */
  members(channelId: string, opts: { limit?: number } = {}): Promise<Member[]> {
    return unwrap(
      this.api.v1.channels[":channelID"].members.$get({ param: { channelID: channelId }, query: opts.limit ? { limit: String(opts.limit) } : {} }),
    );
  }

  /** Public rooms (discovery), with member counts and whether you are in. */
  async rooms(opts: { before?: string; limit?: number } = {}): Promise<{ rooms: Room[]; has_more: boolean }> {
    const query = { ...(opts.before ? { before: opts.before } : {}), ...(opts.limit ? { limit: String(opts.limit) } : {}) };
    return unwrap(this.api.v1.rooms.$get({ query }));
  }

  async joinRoom(channelId: string): Promise<void> {
    await unwrap(this.api.v1.channels[":channelID"].members.$post({ param: { channelID: channelId }, json: { user_id: "me" } }));
  }

  /** Adds someone to a group or room (owner and admins; the user must exist). */
  addMember(channelId: string, userId: string, role: "member" | "admin" = "member"): Promise<Member> {
    return unwrap(this.api.v1.channels[":channelID"].members.$post({ param: { channelID: channelId }, json: { user_id: userId, role } }));
  }

  /** Removes a member (owner and admins); their sockets on the channel are closed (4003). */
  async removeMember(channelId: string, userId: string): Promise<void> {
    await unwrapEmpty(this.api.v1.channels[":channelID"].members[":userID"].$delete({ param: { channelID: channelId, userID: userId } }));
  }

  /** Leaves a group or room (not a DM; the owner transfers ownership first). */
  leave(channelId: string): Promise<void> {
    return this.removeMember(channelId, "me");
  }

  /** Renames a group or room (owner and admins); members get `channel_update`. */
  rename(channelId: string, name: string) {
    return unwrap(this.api.v1.channels[":channelID"].$put({ param: { channelID: channelId }, json: { name } }));
  }

  /** A page of history, newest first: `before` = older than that message id. */
  history(channelId: string, opts: { before?: string; after?: string; around?: string; limit?: number } = {}): Promise<MessagePage> {
    const { limit, ...cursor } = opts;
    const query = { ...Object.fromEntries(Object.entries(cursor).filter(([, v]) => v)), ...(limit ? { limit: String(limit) } : {}) };
    return unwrap(this.api.v1.channels[":channelID"].messages.$get({ param: { channelID: channelId }, query }));
  }

  /**
   * The message a user socket's `notify` names. A notify goes out as soon as the channel's room has
   * the message, and history (D1) follows within one flush, so a read that does not find it yet is
   * retried with backoff (up to `timeoutMs`, 10 s by default); undefined if it never shows (deleted).
   */
  async notified(n: { channel_id: string; message_id: string }, opts: { timeoutMs?: number } = {}): Promise<Message | undefined> {
    const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
    for (let attempt = 0; ; attempt++) {
      const page = await this.history(n.channel_id, { around: n.message_id, limit: 1 });
      const found = page.messages.find((m) => m.id === n.message_id);
      if (found || Date.now() >= deadline) return found;
      await sleep(Math.min(1000, 50 * 2 ** attempt));
    }
  }

  /**
   * Sends a message exactly once: one Idempotency-Key per message. Over the channel socket when it is
   * open (`client_msg_id` = the key; unacked frames are resent after a reconnect, the server dedupes),
   * else — or when no ack comes in time — REST with the same key, retried on network errors, 429 and
   * 5xx (a retry after a lost answer returns the stored message).
   */
  async send(channelId: string, message: SendMessage | string, opts: SendOptions = {}): Promise<Message> {
    const json = typeof message === "string" ? { body: message } : message;
    const key = opts.idempotencyKey ?? randomId();
    if (opts.via !== "rest" && this.#sockets.get(channelId)?.socket.status === "open") {
      try {
        return await this.#sendOverSocket(channelId, key, json, opts.ackTimeoutMs ?? 15_000);
      } catch (err) {
        if (!(err instanceof SocketSendTimeout)) throw err; // the server's answer: final, as over REST
      }
    }
    return this.#sendRest(channelId, key, json, opts.attempts ?? 6);
  }

  async #sendRest(channelId: string, key: string, json: SendMessage, attempts: number): Promise<Message> {
    for (let attempt = 0; ; attempt++) {
      try {
        // Never with `send_at` (not a field of the SDK's send): the answer is the 201 message.
        return (await unwrap(
          this.api.v1.channels[":channelID"].messages.$post({ param: { channelID: channelId }, header: { "idempotency-key": key }, json }),
        )) as Message;
      } catch (err) {
        const retryable = err instanceof ChatApiError ? err.retryable : err instanceof TypeError; // TypeError: fetch failed
        if (!retryable || attempt + 1 >= attempts) throw err;
        // The same Idempotency-Key makes a repeat harmless; a Retry-After beyond the cap goes to the caller.
        const wait = retryDelay(attempt, err instanceof ChatApiError ? err.retryAfterMs : undefined, this.#opts.retry);
        if (wait === null) throw err;
        await sleep(wait + 100);
      }
    }
  }

  #sendOverSocket(channelId: string, key: string, json: SendMessage, timeoutMs: number): Promise<Message> {
    const sub = this.#sockets.get(channelId)!;
    let waiting = this.#inflight.get(channelId);
    if (!waiting) this.#inflight.set(channelId, (waiting = new Map()));
    const frame = { ...json, type: "send", client_msg_id: key };
    const pending = waiting;
    return new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(key);
        reject(new SocketSendTimeout());
      }, timeoutMs);
      pending.set(key, {
        frame,
        resolve: (m) => (clearTimeout(timer), pending.delete(key), resolve(m)),
        reject: (e) => (clearTimeout(timer), pending.delete(key), reject(e)),
      });
      sub.socket.send(frame); // if the link just dropped, the frame goes again on the next `ready`
    });
  }

  /** An ack/error frame answers the socket send with its client_msg_id; `ready` resends what is unanswered. */
  #onSendAnswer(channelId: string, frame: ServerFrame & { client_msg_id?: string | null }) {
    const waiter = frame.client_msg_id ? this.#inflight.get(channelId)?.get(frame.client_msg_id) : undefined;
    if (!waiter) return;
    if (frame.type === "ack") return waiter.resolve(frame.data as Message);
    waiter.reject(ChatApiError.fromFrame((frame.data ?? {}) as { code?: string; message?: string; details?: unknown }));
  }

  /** Replies in a thread, newest first (the root is not in the page). */
  replies(channelId: string, rootId: string, opts: { before?: string; after?: string; limit?: number } = {}): Promise<MessagePage> {
    const { limit, ...cursor } = opts;
    const query = { ...Object.fromEntries(Object.entries(cursor).filter(([, v]) => v)), ...(limit ? { limit: String(limit) } : {}) };
    return unwrap(
      this.api.v1.channels[":channelID"].messages[":messageID"].replies.$get({ param: { channelID: channelId, messageID: rootId }, query }),
    ) as Promise<MessagePage>;
  }

  /** Replies in the root's thread (a message with `parent_id`); over the socket when open, like send. */
  reply(channelId: string, rootId: string, message: SendMessage | string, opts: SendOptions = {}): Promise<Message> {
    const json = typeof message === "string" ? { body: message } : message;
    return this.send(channelId, { ...json, parent_id: rootId }, opts);
  }

  async pin(channelId: string, messageId: string): Promise<void> {
    await unwrapEmpty(this.api.v1.channels[":channelID"].pins[":messageID"].$put({ param: { channelID: channelId, messageID: messageId } }));
  }

  async unpin(channelId: string, messageId: string): Promise<void> {
    await unwrapEmpty(this.api.v1.channels[":channelID"].pins[":messageID"].$delete({ param: { channelID: channelId, messageID: messageId } }));
  }

  /** Pinned messages, most recently pinned first (at most 50). */
  async pins(channelId: string): Promise<Message[]> {
    const { messages } = await unwrap(this.api.v1.channels[":channelID"].pins.$get({ param: { channelID: channelId } }));
    return messages as Message[];
  }

  /** Full-text search over your channels (or one with `channelId`), newest first. */
  search(q: string, opts: { channelId?: string; before?: string; limit?: number } = {}): Promise<{ messages: Message[]; has_more: boolean }> {
    const query = {
      q,
      ...(opts.channelId ? { channel_id: opts.channelId } : {}),
      ...(opts.before ? { before: opts.before } : {}),
      ...(opts.limit ? { limit: String(opts.limit) } : {}),
    };
    return unwrap(this.api.v1.search.messages.$get({ query })) as Promise<{ messages: Message[]; has_more: boolean }>;
  }

  /** Messages that mention you, newest first. */
  mentions(opts: { before?: string; limit?: number } = {}): Promise<{ messages: Message[]; has_more: boolean }> {
    const query = { ...(opts.before ? { before: opts.before } : {}), ...(opts.limit ? { limit: String(opts.limit) } : {}) };
    return unwrap(this.api.v1.users.me.mentions.$get({ query })) as Promise<{ messages: Message[]; has_more: boolean }>;
  }

  /** Every member's read cursor (receipts: "seen"). */
  reads(channelId: string) {
    return unwrap(this.api.v1.channels[":channelID"].reads.$get({ param: { channelID: channelId }, query: {} }));
  }

  edit(channelId: string, messageId: string, body: string): Promise<Message> {
    return unwrap(this.api.v1.channels[":channelID"].messages[":messageID"].$put({ param: { channelID: channelId, messageID: messageId }, json: { body } }));
  }

  async delete(channelId: string, messageId: string): Promise<void> {
    await unwrapEmpty(this.api.v1.channels[":channelID"].messages[":messageID"].$delete({ param: { channelID: channelId, messageID: messageId } }));
  }

  async react(channelId: string, messageId: string, emoteAssetId: string): Promise<void> {
    await unwrap(
      this.api.v1.channels[":channelID"].messages[":messageID"].reactions.$post({
        param: { channelID: channelId, messageID: messageId },
        json: { emote_asset_id: emoteAssetId },
      }),
    );
  }

  async unreact(channelId: string, messageId: string, emoteAssetId: string): Promise<void> {
    await unwrapEmpty(
      this.api.v1.channels[":channelID"].messages[":messageID"].reactions[":emoteID"].$delete({
        param: { channelID: channelId, messageID: messageId, emoteID: emoteAssetId },
      }),
    );
  }

  markRead(channelId: string, messageId: string) {
    return unwrap(this.api.v1.channels[":channelID"].read.$post({ param: { channelID: channelId }, json: { last_read_message_id: messageId } }));
  }

  /** Who is typing now, with display names. */
  typingUsers(channelId: string) {
    return unwrap(this.api.v1.channels[":channelID"].typing.$get({ param: { channelID: channelId } }));
  }

  /** Marks you typing for 8 s: over the channel socket when one is open (no HTTP request), else REST. */
  async typing(channelId: string): Promise<void> {
    if (this.#sockets.get(channelId)?.socket.send({ type: "typing" })) return;
    await unwrapEmpty(this.api.v1.channels[":channelID"].typing.$post({ param: { channelID: channelId } }));
  }

  /** A signed URL (1 h) for an attachment: `size` "256" etc. for a WebP thumbnail of an image. */
  async attachmentUrl(channelId: string, messageId: string, assetId: string, size: ThumbnailSize = "full"): Promise<string> {
    const { url } = await unwrap(
      this.api.v1.channels[":channelID"].messages[":messageID"].attachments[":attachmentID"].url.$get({
        param: { channelID: channelId, messageID: messageId, attachmentID: assetId },
        query: { size },
      }),
    );
    return new URL(url, this.baseUrl).href;
  }

  /**
   * Uploads a file (≤ 25 MiB directly, larger through a signed upload URL) and reports progress;
   * the result goes into `send(…, { attachments: [{ asset_id }] })`.
   */
  async upload(file: Blob, opts: UploadOptions = {}): Promise<Attachment> {
    const filename = opts.filename ?? (file as File).name ?? "file";
    const contentType = file.type || "application/octet-stream";
    if (file.size > DIRECT_UPLOAD_LIMIT) {
      const ticket = await unwrap(this.api.v1.attachments.uploads.$post({ json: { filename, content_type: contentType, size_bytes: file.size } }));
      const put = await sendBytes({ method: "PUT", url: new URL(ticket.upload_url, this.baseUrl).href, body: file, headers: { "Content-Type": contentType }, ...this.#progress(opts) });
      if (!put.ok) throw await ChatApiError.from(put);
      return unwrap(this.api.v1.attachments[":assetID"].complete.$post({ param: { assetID: ticket.asset_id } }));
    }
    const post = (): Promise<Response> =>
      sendBytes({
        method: "POST",
        url: `${this.baseUrl}/v1/attachments`,
        body: file,
        headers: { "Content-Type": contentType, "X-Filename": encodeURIComponent(filename), ...(this.#token ? { Authorization: `Bearer ${this.#token}` } : {}) },
        ...this.#progress(opts),
      });
    let res = await post();
    if (res.status === 401 && (await this.#refreshed())) res = await post();
    if (!res.ok) throw await ChatApiError.from(res);
    return (await res.json()) as Attachment;
  }

  #progress(opts: UploadOptions) {
    return { onProgress: opts.onProgress, signal: opts.signal, fetch: this.#fetchImpl };
  }

  // ---- Moderation (DESIGN §15: channel moderators are its owner and admins; others get CHAT_NOT_ADMIN) ----

  /**
   * Bans someone from a group or room: they are removed (`member_remove` with `reason: "banned"`) and
   * cannot join, be added or post (403 `CHAT_BANNED`) until `duration_s` has passed or `unban`.
   * Banning someone already banned answers the ban in force.
   */
  ban(channelId: string, userId: string, opts: { reason?: string; duration_s?: number } = {}): Promise<Ban> {
    return unwrap(this.api.v1.channels[":channelID"].bans.$post({ param: { channelID: channelId }, json: { user_id: userId, ...opts } }));
  }

  /** Lifts a ban (they are not re-added); `CHAT_BAN_NOT_FOUND` when none is in force. */
  async unban(channelId: string, userId: string): Promise<void> {
    await unwrapEmpty(this.api.v1.channels[":channelID"].bans[":userID"].$delete({ param: { channelID: channelId, userID: userId } }));
  }

  /** Bans in force, newest first. */
  async bans(channelId: string): Promise<Ban[]> {
    const { bans } = await unwrap(this.api.v1.channels[":channelID"].bans.$get({ param: { channelID: channelId } }));
    return bans;
  }

  /** Mutes a member for `durationS` (1 s – 28 days): they still read, but sends, reactions and typing are 403 `CHAT_MUTED`. */
  mute(channelId: string, userId: string, durationS: number): Promise<Mute> {
    return unwrap(this.api.v1.channels[":channelID"].mutes.$post({ param: { channelID: channelId }, json: { user_id: userId, duration_s: durationS } }));
  }

  /** Lifts a mute; `CHAT_MUTE_NOT_FOUND` when none is in force. */
  async unmute(channelId: string, userId: string): Promise<void> {
    await unwrapEmpty(this.api.v1.channels[":channelID"].mutes[":userID"].$delete({ param: { channelID: channelId, userID: userId } }));
  }

  /** Mutes in force, newest first. */
  async mutes(channelId: string): Promise<Mute[]> {
    const { mutes } = await unwrap(this.api.v1.channels[":channelID"].mutes.$get({ param: { channelID: channelId } }));
    return mutes;
  }

  /**
   * Reports a message to the channel's moderators (any member who can read it). The report keeps the
   * message as it is now; reporting the same message again answers your first report.
   */
  report(channelId: string, messageId: string, reason: ReportReason, note?: string): Promise<Report> {
    return unwrap(
      this.api.v1.channels[":channelID"].messages[":messageID"].reports.$post({
        param: { channelID: channelId, messageID: messageId },
        json: { reason, ...(note ? { note } : {}) },
      }),
    );
  }

  /** The channel's reports, newest first (`status` absent: open and resolved); page with `before` (the last report's id). */
  channelReports(channelId: string, status?: "open" | "resolved", page: { before?: string; limit?: number } = {}): Promise<ReportPage> {
    const query = { ...(status ? { status } : {}), ...(page.before ? { before: page.before } : {}), ...(page.limit ? { limit: String(page.limit) } : {}) };
    return unwrap(this.api.v1.channels[":channelID"].reports.$get({ param: { channelID: channelId }, query }));
  }

  /**
   * Resolves a report: `dismiss`, `delete_message`, `mute_user` (for `duration_s`, default an hour) or
   * `ban_user` (until lifted unless `duration_s`), each as if done directly. A resolved report is answered as it is.
   */
  resolveReport(channelId: string, reportId: string, resolution: ResolveReport): Promise<Report> {
    return unwrap(
      this.api.v1.channels[":channelID"].reports[":reportID"].resolve.$post({ param: { channelID: channelId, reportID: reportId }, json: resolution }),
    );
  }

  /** Slow mode: plain members wait `seconds` (0 = off, at most 21600) between top-level messages (429 `CHAT_SLOW_MODE`). */
  setSlowMode(channelId: string, seconds: number) {
    return unwrap(this.api.v1.channels[":channelID"].$put({ param: { channelID: channelId }, json: { slow_mode_s: seconds } }));
  }

  // ---- Real-time --------------------------------------------------------------------------------

  /**
   * Keeps a socket open to the channel (idempotent: one per channel). Events arrive on the client
   * (`client.on("message", …)`) in seq order, each exactly once, across reconnects.
   */
  subscribe(channelId: string): ChannelSubscription {
    let sub = this.#sockets.get(channelId);
    if (sub) return sub;
    const socket = new ReconnectingSocket({
      // Browsers cannot set headers on a WebSocket: a 60 s ticket per connection attempt.
      url: async (sinceSeq, epoch) => {
        const { ticket } = await unwrap(this.api.v1.channels[":channelID"]["ws-ticket"].$post({ param: { channelID: channelId } }));
        return socketUrl(this.baseUrl, `/v1/channels/${channelId}/ws`, ticket, sinceSeq, epoch);
      },
      backoff: this.#opts.backoff,
      pingIntervalMs: this.#opts.pingIntervalMs,
      WebSocket: this.#opts.WebSocket,
    });
    socket.on("frame", (frame) => {
      this.emit("frame", { channelId, frame });
      if (frame.type === "ack" || frame.type === "error") this.#onSendAnswer(channelId, frame);
      if (frame.type === "ready") {
        const online = (frame.data as { online_user_ids?: string[] } | null)?.online_user_ids;
        if (online) this.emit("presence_state", { channelId, onlineUserIds: online });
        // Resend what a dropped link left unanswered: client_msg_id makes a repeat harmless.
        for (const waiter of this.#inflight.get(channelId)?.values() ?? []) socket.send(waiter.frame);
      }
      if (frame.type === "presence") {
        const p = frame.data as { user_id: string; online: boolean };
        this.emit("presence", { channelId, userId: p.user_id, online: p.online });
      }
      if (frame.type in CHANNEL_EVENTS) {
        const type = frame.type as keyof ChannelEventMap;
        this.emit(type, { channelId, type, seq: frame.seq, data: frame.data } as never);
      }
    });
    socket.on("ready", ({ seq, replayed }) => this.emit("ready", { channelId, seq, replayed }));
    socket.on("resync", () => this.emit("resync", { channelId }));
    socket.on("status", (status) => this.emit("status", { channelId, status }));
    socket.on("closed", ({ code }) => {
      this.#sockets.delete(channelId);
      // The subscription ended for good: sends waiting on it get the REST path's answer instead.
      for (const waiter of this.#inflight.get(channelId)?.values() ?? []) waiter.reject(new SocketSendTimeout());
      this.emit("closed", { channelId, code });
    });
    sub = new ChannelSubscription(channelId, socket, () => {
      this.#sockets.delete(channelId);
      // Unsubscribed with sends unanswered: they go over REST now, with the same Idempotency-Key.
      for (const waiter of this.#inflight.get(channelId)?.values() ?? []) waiter.reject(new SocketSendTimeout());
    });
    this.#sockets.set(channelId, sub);
    return sub;
  }

  /** The subscription for a channel, if any. */
  subscription(channelId: string): ChannelSubscription | undefined {
    return this.#sockets.get(channelId);
  }

  unsubscribe(channelId: string): void {
    this.#sockets.get(channelId)?.close();
  }

  /**
   * The user socket (GET /v1/ws, idempotent: one per client): `notify` for every new message in any
   * of your channels (`mentions_me`), `channel_add` / `channel_update` / `channel_remove`, with its
   * own per-user seq, since_seq replay and `resync` (refetch the channel list).
   */
  connectUser(): UserSocket {
    if (this.#user && this.#user.status !== "closed") return this.#user;
    this.#user = new UserSocket({
      url: async (sinceSeq) => {
        const { ticket } = await unwrap(this.api.v1["ws-ticket"].$post());
        return socketUrl(this.baseUrl, "/v1/ws", ticket, sinceSeq);
      },
      backoff: this.#opts.backoff,
      pingIntervalMs: this.#opts.pingIntervalMs,
      WebSocket: this.#opts.WebSocket,
    });
    return this.#user;
  }

  /** The user socket, if connected (`connectUser()`); named so that `user(id)` can be the profile lookup. */
  get userSocket(): UserSocket | null {
    return this.#user;
  }

  /** Reconnects every socket now (e.g. after the device came back online), resuming each from its seq. */
  reconnectAll(): void {
    for (const sub of this.#sockets.values()) sub.socket.reconnectNow();
    this.#user?.reconnectNow();
  }

  /** Closes every socket. */
  close(): void {
    for (const sub of [...this.#sockets.values()]) sub.close();
    this.#user?.close();
    this.#user = null;
  }
}

/** One channel's live connection. */
export class ChannelSubscription {
  constructor(
    readonly channelId: string,
    readonly socket: ReconnectingSocket,
    private readonly onClose: () => void,
  ) {}

  get seq(): number | null {
    return this.socket.seq;
  }

  get status(): SocketStatus {
    return this.socket.status;
  }

  /** Resolves once the socket is live (now, if it already is). */
  ready(): Promise<void> {
    return this.socket.status === "open" ? Promise.resolve() : this.socket.once("ready").then(() => undefined);
  }

  close(): void {
    this.socket.close();
    this.onClose();
  }
}

const CHANNEL_EVENTS: Record<keyof ChannelEventMap, true> = {
  message: true, message_update: true, message_delete: true, reaction_add: true, reaction_remove: true,
  member_add: true, member_update: true, member_remove: true, channel_update: true, channel_delete: true,
  typing: true, read: true,
};

/** The success body of a typed response, or a ChatApiError (status 0 when the network failed). */
async function unwrap<R extends ResponseLike>(request: Promise<R>): Promise<Ok<R>> {
  const res = await request;
  if (!res.ok) throw await ChatApiError.from(res);
  return (await res.json()) as Ok<R>;
}

async function unwrapEmpty(request: Promise<ResponseLike>): Promise<void> {
  const res = await request;
  if (!res.ok) throw await ChatApiError.from(res);
}

/** No ack in time (or the subscription ended): the send falls back to REST with the same key. */
class SocketSendTimeout extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A socket URL on the API's origin (ws: or wss: to match), with its ticket and the seq to resume after. */
function socketUrl(baseUrl: string, path: string, ticket: string, sinceSeq: number | null, epoch: number | null = null) {
  const url = new URL(path, baseUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("ticket", ticket);
  if (sinceSeq !== null) url.searchParams.set("since_seq", String(sinceSeq));
  if (sinceSeq !== null && epoch !== null) url.searchParams.set("epoch", String(epoch));
  return url.href;
}
