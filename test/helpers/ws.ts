import { exports } from "cloudflare:workers";
import type { TestUser } from "./api";

export interface Frame {
  type: string;
  channel_id: string;
  seq: number | null;
  /** On `ack` and on the `error` answering a `send`. */
  client_msg_id?: string | null;
  data: any;
}

/** How long a test waits for a frame before failing: only failure detection, never synchronisation. */
const FRAME_TIMEOUT_MS = 10_000;

/** A connected test client: frames are queued and taken in order, so a test sees exactly what arrived. */
export interface Client {
  ws: WebSocket;
  /** Next frame (any type), failing if none arrives within `ms`. */
  next(ms?: number): Promise<Frame>;
  /** Next frame, which must be of `type`. */
  expect(type: string, ms?: number): Promise<Frame>;
  /**
   * Proves that nothing was sent to this socket before now: sends `ping` and requires the very
   * next thing received to be the room's `pong`. A socket's frames arrive in the order they were
   * sent, so any frame the room sent before answering the ping arrives before the pong. Call it
   * once the action that might have produced a frame has completed: a REST call has returned (the
   * request waits for the room), or a client frame has been `handled()`.
   */
  expectSilence(): Promise<void>;
  /**
   * Resolves once the room has handled every frame this socket sent before: sends a frame the room
   * answers with an `INVALID_FRAME` error, in order after this socket's earlier frames, and
   * requires that error to be the next frame.
   */
  handled(): Promise<void>;
  /** Raw text frames (ping/pong). */
  nextText(ms?: number): Promise<string>;
  closed: Promise<{ code: number; reason: string }>;
  send(data: unknown): void;
}

/**
 * UNTYPED on purpose (the typed client cannot express an Upgrade): GET …/ws through the Worker
 * with `Upgrade: websocket`, answering the raw upgrade response.
 */
export async function openSocket(channelId: string, opts: SocketOptions = {}) {
  const query = new URLSearchParams();
  if (opts.ticket) query.set("ticket", opts.ticket);
  if (opts.sinceSeq !== undefined) query.set("since_seq", String(opts.sinceSeq));
  if (opts.epoch !== undefined) query.set("epoch", String(opts.epoch));
  const headers: Record<string, string> = { Upgrade: "websocket" };
  if (opts.user) headers.Authorization = `Bearer ${opts.user.token}`;
  return exports.default.fetch(new Request(`http://api.test/v1/channels/${channelId}/ws?${query}`, { headers }));
}

export interface SocketOptions {
  user?: TestUser;
  ticket?: string;
  sinceSeq?: number;
  /** The room log's epoch `sinceSeq` was counted in (from `ready`). */
  epoch?: number;
  /**
   * Keep `presence` frames (members going online or offline in DMs and small groups). Off by
   * default: they are ephemeral and arrive whenever another member's socket opens or closes, so
   * tests about other frames would otherwise have to expect them; presence tests turn them on.
   */
  presence?: boolean;
}

/** Opens a socket and consumes its `ready` frame. */
export async function connect(channelId: string, opts: SocketOptions = {}) {
  const res = await openSocket(channelId, opts);
  if (res.status !== 101 || !res.webSocket) throw new Error(`upgrade failed: ${res.status} ${await res.text()}`);
  const client = wrap(res.webSocket, opts.presence ? [] : ["presence"]);
  const ready = await client.expect("ready");
  return { client, ready };
}

/** Wraps an accepted socket; frames whose type is in `ignore` are dropped on arrival. */
export function wrap(ws: WebSocket, ignore: string[] = []): Client {
  const queue: (Frame | string)[] = [];
  let waiter: (() => void) | undefined;
  let closedWith: { code: number; reason: string } | undefined;
  let resolveClosed!: (v: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => (resolveClosed = r));
  ws.accept();
  ws.addEventListener("message", (event) => {
    const text = typeof event.data === "string" ? event.data : new TextDecoder().decode(event.data as ArrayBuffer);
    let item: Frame | string = text;
    try {
      item = JSON.parse(text);
    } catch {}
    if (typeof item !== "string" && ignore.includes(item.type)) return;
    queue.push(item);
    waiter?.();
  });
  ws.addEventListener("close", (event) => {
    closedWith = { code: event.code, reason: event.reason };
    resolveClosed(closedWith);
    waiter?.();
  });

  /** The next queued item; waits for one by event (no polling), failing after `ms` or on close. */
  function take(ms = FRAME_TIMEOUT_MS): Promise<Frame | string> {
    return new Promise((resolve, reject) => {
      const settle = () => {
        if (queue.length > 0) {
          done();
          resolve(queue.shift()!);
        } else if (closedWith) {
          done();
          reject(new Error(`socket closed (${closedWith.code} ${closedWith.reason}) with no frame left`));
        }
      };
      const timer = setTimeout(() => {
        waiter = undefined;
        reject(new Error(`no frame arrived within ${ms} ms`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        waiter = undefined;
      };
      waiter = settle;
      settle();
    });
  }

  const client: Client = {
    ws,
    closed,
    send: (data) => ws.send(typeof data === "string" ? data : JSON.stringify(data)),
    async next(ms) {
      const item = await take(ms);
      if (typeof item === "string") throw new Error(`expected a JSON frame, got ${item}`);
      return item;
    },
    async expect(type, ms) {
      const frame = await client.next(ms);
      if (frame.type !== type) throw new Error(`expected a ${type} frame, got ${JSON.stringify(frame)}`);
      return frame;
    },
    async expectSilence() {
      ws.send("ping");
      const item = await take();
      if (item !== "pong") throw new Error(`expected no frame before the pong, got ${JSON.stringify(item)}`);
    },
    async handled() {
      ws.send("sync");
      const item = await take();
      if (typeof item === "string" || item.type !== "error" || item.data?.code !== "INVALID_FRAME") {
        throw new Error(`expected the INVALID_FRAME answer to "sync", got ${JSON.stringify(item)}`);
      }
    },
    async nextText(ms) {
      const item = await take(ms);
      if (typeof item !== "string") throw new Error(`expected text, got ${JSON.stringify(item)}`);
      return item;
    },
  };
  return client;
}
