// The user socket (GET /v1/ws): one connection for every channel you are in — a `notify` per new
// message (replies too, `mentions_me`), `channel_add` / `channel_update` / `channel_remove`, a
// per-user seq with since_seq replay. It is one more ReconnectingSocket with its own ticket.
import { Emitter } from "./emitter";
import { ReconnectingSocket, type ReconnectingSocketOptions, type ServerFrame, type SocketStatus } from "./socket";
import type { Channel } from "./types";

/** `notify`: a new message in one of your channels (fetch it over REST or the channel socket). */
export interface NotifyData {
  channel_id: string;
  message_id: string;
  parent_id: string | null;
  sender_id: string;
  created_at: number;
  mentions_me: boolean;
}

export interface UserSocketEvents {
  notify: NotifyData & { seq: number | null };
  channel_add: Channel;
  channel_update: Channel;
  channel_remove: { channel_id: string };
  /** Live (again); `replayed`: what was missed while away has been delivered. */
  ready: { seq: number; replayed: boolean };
  /** Frames were lost beyond replay (or you were away > 2 min): refetch the channel list. */
  resync: { seq: number };
  status: SocketStatus;
  /** Every frame, for anything not covered above. */
  frame: ServerFrame;
}

export class UserSocket extends Emitter<UserSocketEvents> {
  readonly socket: ReconnectingSocket;

  constructor(opts: ReconnectingSocketOptions) {
    super();
    this.socket = new ReconnectingSocket(opts);
    this.socket.on("frame", (frame) => {
      this.emit("frame", frame);
      switch (frame.type) {
        case "notify":
          this.emit("notify", { ...(frame.data as NotifyData), seq: frame.seq });
          break;
        case "channel_add":
        case "channel_update":
          this.emit(frame.type, frame.data as Channel);
          break;
        case "channel_remove":
          this.emit("channel_remove", frame.data as { channel_id: string });
          break;
      }
    });
    this.socket.on("ready", (r) => this.emit("ready", r));
    this.socket.on("resync", (r) => this.emit("resync", r));
    this.socket.on("status", (s) => this.emit("status", s));
  }

  get status(): SocketStatus {
    return this.socket.status;
  }

  get seq(): number | null {
    return this.socket.seq;
  }

  /** Resolves once the socket is live. */
  ready(): Promise<void> {
    return this.socket.status === "open" ? Promise.resolve() : this.socket.once("ready").then(() => undefined);
  }

  reconnectNow(): void {
    this.socket.reconnectNow();
  }

  close(): void {
    this.socket.close();
  }
}
