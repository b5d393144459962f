// The minimal fan-out Worker of `npm run bench:fanout`: no auth, no validation beyond JSON.
//   GET  /ws/<room>    WebSocket, accepted by the room's Durable Object with the hibernation API
//   POST /send/<room>  {"body": "…"}: one insert into each of two D1 databases, in parallel (the project
//                      writes a history shard and the directory), then one broadcast RPC; answered after it returns
import { DurableObject } from "cloudflare:workers";

export class Room extends DurableObject {
  async fetch() {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Sends one text to every socket of the room. */
  broadcast(text) {
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(text);
      } catch {
        // Closed meanwhile.
      }
    }
  }

  webSocketClose(ws, code) {
    try {
      ws.close(code);
    } catch {}
  }
}

export default {
  async fetch(request, env) {
    const [, kind, room] = new URL(request.url).pathname.split("/");
    if (!room) return new Response("not found", { status: 404 });
    const stub = env.ROOMS.get(env.ROOMS.idFromName(room));
    if (kind === "ws" && request.headers.get("Upgrade") === "websocket") return stub.fetch(request);
    if (kind === "send" && request.method === "POST") {
      const { body } = await request.json();
      const createdAt = Date.now();
      const insert = (db) => db.prepare("INSERT INTO messages (room, body, created_at) VALUES (?, ?, ?)").bind(room, body, createdAt).run();
      const [{ meta }] = await Promise.all([insert(env.DB), insert(env.DIRECTORY)]);
      await stub.broadcast(JSON.stringify({ type: "message", room, data: { id: meta.last_row_id, body, created_at: createdAt } }));
      return new Response(null, { status: 204 });
    }
    return new Response("not found", { status: 404 });
  },
};
