import { exports } from "cloudflare:workers";
import type { TestUser } from "./api";

export interface Frame {
  type: string;
  channel_id: string;
  seq: number | null;
  data: any;
}

/** A connected test client: frames are queued and taken in order, so a test sees exactly what arrived. */
export interface Client {
  ws: WebSocket;
  /** Next frame (any type), waiting up to `ms`. */
  next(ms?: number): Promise<Frame>;
  /** Next frame, which must be of `type`. */
  expect(type: string, ms?: number): Promise<Frame>;
  /** Resolves with nothing if no frame arrives within `ms`; fails if one does. */
  expectSilence(ms?: number): Promise<void>;
  /** Raw text frames (ping/pong). */
  nextText(ms?: number): Promise<string>;
  closed: Promise<{ code: number; reason: string }>;
  send(data: unknown): void;
}

export async function openSocket(channelId: string, opts: { user?: TestUser; ticket?: string; sinceSeq?: number } = {}) {
  const query = new URLSearchParams();
  if (opts.ticket) query.set("ticket", opts.ticket);
  if (opts.sinceSeq !== undefined) query.set("since_seq", String(opts.sinceSeq));
  const headers: Record<string, string> = { Upgrade: "websocket" };
  if (opts.user) headers.Authorization = `Bearer ${opts.user.token}`;
  return exports.default.fetch(new Request(`http://api.test/v1/channels/${channelId}/ws?${query}`, { headers }));
}

/** Opens a socket and consumes its `ready` frame. */
export async function connect(channelId: string, opts: { user?: TestUser; ticket?: string; sinceSeq?: number } = {}) {
  const res = await openSocket(channelId, opts);
  if (res.status !== 101 || !res.webSocket) throw new Error(`upgrade failed: ${res.status} ${await res.text()}`);
  const client = wrap(res.webSocket);
  const ready = await client.expect("ready");
  return { client, ready };
}

function wrap(ws: WebSocket): Client {
  const queue: (Frame | string)[] = [];
  let wake: (() => void) | undefined;
  let resolveClosed!: (v: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => (resolveClosed = r));
  ws.accept();
  ws.addEventListener("message", (event) => {
    const text = typeof event.data === "string" ? event.data : new TextDecoder().decode(event.data as ArrayBuffer);
    let item: Frame | string = text;
    try {
      item = JSON.parse(text);
    } catch {}
    queue.push(item);
    wake?.();
  });
  ws.addEventListener("close", (event) => resolveClosed({ code: event.code, reason: event.reason }));

  async function take(ms = 2000): Promise<Frame | string> {
    const deadline = Date.now() + ms;
    while (queue.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("no frame arrived");
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, Math.min(left, 50));
      });
    }
    return queue.shift()!;
  }

  return {
    ws,
    closed,
    send: (data) => ws.send(typeof data === "string" ? data : JSON.stringify(data)),
    async next(ms) {
      const item = await take(ms);
      if (typeof item === "string") throw new Error(`expected a JSON frame, got ${item}`);
      return item;
    },
    async expect(type, ms) {
      const frame = await this.next(ms);
      if (frame.type !== type) throw new Error(`expected a ${type} frame, got ${JSON.stringify(frame)}`);
      return frame;
    },
    async expectSilence(ms = 150) {
      await new Promise((r) => setTimeout(r, ms));
      if (queue.length) throw new Error(`expected no frame, got ${JSON.stringify(queue[0])}`);
    },
    async nextText(ms) {
      const item = await take(ms);
      if (typeof item !== "string") throw new Error(`expected text, got ${JSON.stringify(item)}`);
      return item;
    },
  };
}
