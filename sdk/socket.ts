// One reconnecting WebSocket with a gap-free event sequence: the channel sockets (with socket sends,
// ack/error frames) and the user socket (GET /v1/ws, per-user seq) both use it.
import { Emitter } from "./emitter";

/** Every server frame: `{type, channel_id?, seq, data}`; `seq` is null for ephemeral frames. */
export interface ServerFrame {
  type: string;
  channel_id?: string;
  seq: number | null;
  data: unknown;
}

export type SocketStatus = "connecting" | "open" | "reconnecting" | "closed";

export interface SocketEvents {
  /** A frame in order: sequenced ones exactly once (replays included), ephemeral ones as they come. */
  frame: ServerFrame;
  /** `ready` arrived: the socket is live (`replayed` = it resumed with since_seq). */
  ready: { seq: number; replayed: boolean };
  /** The server could not replay from our seq: refetch over REST; the sequence continues after this. */
  resync: { seq: number };
  status: SocketStatus;
  /** The server ended the subscription for good (4003 removed, 4004 deleted, 1008 refused…). */
  closed: { code: number; reason: string };
}

export interface BackoffOptions {
  /** First retry waits up to this long (ms). */
  baseMs?: number;
  /** The cap (ms) on one wait. */
  maxMs?: number;
}

export interface ReconnectingSocketOptions {
  /**
   * The URL for the next attempt: mint a ticket here. `sinceSeq` is null on the first connection;
   * `epoch` is the room log's epoch it was counted in (null where the server sends none: the user socket).
   */
  url(sinceSeq: number | null, epoch: number | null): Promise<string>;
  backoff?: BackoffOptions;
  /** Send a text "ping" this often (ms); no answer within `pingTimeoutMs` means the link is dead. */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /** Close codes after which we never reconnect. */
  finalCodes?: number[];
  /** A WebSocket constructor (the global one by default: browsers, Node 22). */
  WebSocket?: typeof WebSocket;
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * a deploy drops every socket at once, and random waits spread the reconnect storm.
 */
export function backoffDelay(attempt: number, { baseMs = 500, maxMs = 30_000 }: BackoffOptions = {}, random = Math.random): number {
  return Math.round(random() * Math.min(maxMs, baseMs * 2 ** attempt));
}

export class ReconnectingSocket extends Emitter<SocketEvents> {
  /** The last sequenced event delivered (or `ready`'s seq on the first connection). */
  seq: number | null = null;
  /** The epoch of the log `seq` counts in (channel rooms): a reconnect names it, so a reset room answers resync. */
  epoch: number | null = null;
  status: SocketStatus = "connecting";
  #ws: WebSocket | null = null;
  #attempt = 0;
  #stopped = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #deadTimer: ReturnType<typeof setTimeout> | undefined;
  #replaying = false;
  #opts: Required<Omit<ReconnectingSocketOptions, "backoff">> & { backoff: BackoffOptions };
  #onOnline = () => this.reconnectNow();

  constructor(opts: ReconnectingSocketOptions) {
    super();
    this.#opts = {
      backoff: opts.backoff ?? {},
      pingIntervalMs: opts.pingIntervalMs ?? 25_000,
      pingTimeoutMs: opts.pingTimeoutMs ?? 10_000,
      finalCodes: opts.finalCodes ?? [1008, 4003, 4004],
      WebSocket: opts.WebSocket ?? globalThis.WebSocket,
      url: opts.url,
    };
    globalThis.addEventListener?.("online", this.#onOnline);
    void this.#connect();
  }

  /** Sends a client frame (JSON) when open; returns false when not connected. */
  send(frame: object | string): boolean {
    if (this.#ws?.readyState !== 1) return false;
    this.#ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
    return true;
  }

  /** Drops the current connection (if any) and connects again at once, resuming from `seq`. */
  reconnectNow(): void {
    if (this.#stopped) return;
    clearTimeout(this.#retryTimer);
    this.#attempt = 0;
    const ws = this.#ws;
    this.#ws = null;
    ws?.close(4000, "reconnect");
    this.#stopTimers();
    void this.#connect();
  }

  /** Closes for good. */
  close(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.#stopTimers();
    globalThis.removeEventListener?.("online", this.#onOnline);
    this.#ws?.close(1000, "closed by client");
    this.#ws = null;
    this.#setStatus("closed");
  }

  #setStatus(status: SocketStatus) {
    if (this.status === status) return;
    this.status = status;
    this.emit("status", status);
  }

  async #connect() {
    if (this.#stopped) return;
    this.#setStatus(this.seq === null ? "connecting" : "reconnecting");
    let url: string;
    try {
      url = await this.#opts.url(this.seq, this.epoch);
    } catch (err) {
      // No ticket (offline, server restarting, token refresh failed): try again later.
      return this.#scheduleRetry();
    }
    if (this.#stopped) return;
    const ws = new this.#opts.WebSocket(url);
    this.#ws = ws;
    this.#replaying = this.seq !== null;
    ws.onmessage = (event) => {
      if (this.#ws !== ws) return;
      this.#alive();
      if (typeof event.data === "string") this.#onText(event.data);
    };
    ws.onopen = () => {
      if (this.#ws !== ws) return;
      this.#alive();
      this.#pingTimer = setInterval(() => this.send("ping"), this.#opts.pingIntervalMs);
    };
    ws.onclose = (event) => {
      if (this.#ws !== ws) return; // a socket we already replaced
      this.#ws = null;
      this.#stopTimers();
      if (this.#opts.finalCodes.includes(event.code)) {
        this.#stopped = true;
        this.#setStatus("closed");
        this.emit("closed", { code: event.code, reason: event.reason });
        return;
      }
      this.#scheduleRetry();
    };
    ws.onerror = () => {
      // onclose follows and decides what to do.
    };
  }

  #scheduleRetry() {
    if (this.#stopped) return;
    this.#setStatus("reconnecting");
    const delay = backoffDelay(this.#attempt++, this.#opts.backoff);
    this.#retryTimer = setTimeout(() => void this.#connect(), delay);
  }

  /** Any traffic proves the link alive; silence past ping + timeout means a half-open socket. */
  #alive() {
    clearTimeout(this.#deadTimer);
    this.#deadTimer = setTimeout(() => this.reconnectNow(), this.#opts.pingIntervalMs + this.#opts.pingTimeoutMs);
  }

  #stopTimers() {
    clearInterval(this.#pingTimer);
    clearTimeout(this.#deadTimer);
  }

  #onText(text: string) {
    if (text === "pong") return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(text) as ServerFrame;
    } catch {
      return;
    }
    if (frame.type === "ready") {
      // Channel rooms put the seq in the envelope; the user hub in data ({"user_id","seq"}).
      const seq = Number(frame.seq ?? (frame.data as { seq?: number } | null)?.seq ?? 0);
      this.#attempt = 0;
      if (this.seq === null) {
        // First connection: events after ready's seq, in ready's epoch.
        this.seq = seq;
        this.epoch = epochOf(frame.data);
      }
      this.#setStatus("open");
      this.emit("ready", { seq, replayed: this.#replaying });
      this.emit("frame", frame);
      return;
    }
    if (frame.type === "resync_required") {
      // Replay impossible (too old, or the room is behind us): continue from the room's seq.
      const data = frame.data as { seq?: number } | null;
      this.seq = Number(data?.seq ?? 0);
      this.epoch = epochOf(frame.data);
      this.emit("resync", { seq: this.seq });
      this.emit("frame", frame);
      return;
    }
    if (frame.seq === null || frame.seq === undefined) return this.emit("frame", frame);
    if (this.seq !== null && frame.seq <= this.seq) return; // a duplicate from an overlapping replay
    if (this.seq !== null && frame.seq > this.seq + 1) {
      // A gap: never deliver out of order. Reconnecting replays from the last seq we have.
      return this.reconnectNow();
    }
    this.seq = frame.seq;
    this.emit("frame", frame);
  }
}

/** The `epoch` of a `ready` or `resync_required` frame's data, or null (the user socket has none). */
const epochOf = (data: unknown): number | null => {
  const epoch = (data as { epoch?: unknown } | null)?.epoch;
  return typeof epoch === "number" ? epoch : null;
};
