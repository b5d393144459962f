// Socket send vs REST send, against a local `wrangler dev`: time from just before the send to each
// *other* subscriber's `message` frame, for 1 and 50 subscribers of one room. Sends alternate
// (socket, REST, socket, …) in one run, each waiting for its answer (the ack, the 201), so both paths
// see the same server, state and machine load.
import { api, percentile, startServer } from "./server.mjs";

const SENDS = Number(process.env.BENCH_SENDS ?? 50); // of each kind
const server = await startServer({ port: process.env.BENCH_PORT ?? 8792 });

/** A socket on the room through a ticket; `onFrame` sees every parsed frame. Resolves at `ready`. */
async function open(channelId, token, onFrame) {
  for (let attempt = 1; ; attempt++) {
    const { json } = await api(server.base, token, "POST", `/v1/channels/${channelId}/ws-ticket`);
    const ws = new WebSocket(`${server.base.replace("http", "ws")}/v1/channels/${channelId}/ws?ticket=${json.ticket}`);
    try {
      await new Promise((resolve, reject) => {
        ws.addEventListener("message", (e) => {
          const frame = JSON.parse(e.data);
          if (frame.type === "ready") resolve();
          onFrame(frame);
        });
        ws.addEventListener("error", () => reject(new Error("WebSocket error before ready")));
      });
      return ws;
    } catch (err) {
      ws.close(); // on two busy cores a handshake now and then fails: try again
      if (attempt === 3) throw err;
    }
  }
}

async function run(subscriberCount) {
  const ownerToken = await server.token(`sender${subscriberCount}`);
  const { json: room } = await api(server.base, ownerToken, "POST", "/v1/channels", { type: "room", name: `send bench ${subscriberCount}` });
  const subs = [];
  for (let i = 0; i < subscriberCount; i++) {
    const id = `ssub${subscriberCount}-${i}`;
    const token = await server.token(id);
    await api(server.base, token, "POST", `/v1/channels/${room.id}/members`, { user_id: id });
    const arrivals = new Map();
    const ws = await open(room.id, token, (f) => f.type === "message" && arrivals.set(f.data.body, performance.now()));
    subs.push({ ws, arrivals });
  }
  // The sender's socket: acks resolve the pending send with the same client_msg_id.
  const pending = new Map();
  const sender = await open(room.id, ownerToken, (f) => {
    if (f.type === "ack" || f.type === "error") pending.get(f.client_msg_id)?.(f);
  });
  const sentAt = { socket: new Map(), rest: new Map() };
  const answered = { socket: [], rest: [] };
  for (let i = 0; i < SENDS; i++) {
    const viaSocket = `s${i}`;
    const t0 = performance.now();
    sentAt.socket.set(viaSocket, t0);
    const answer = await new Promise((resolve) => {
      pending.set(viaSocket, resolve);
      sender.send(JSON.stringify({ type: "send", client_msg_id: viaSocket, body: viaSocket }));
    });
    if (answer.type !== "ack") throw new Error(`socket send refused: ${JSON.stringify(answer)}`);
    answered.socket.push(performance.now() - t0);

    const viaRest = `r${i}`;
    const t1 = performance.now();
    sentAt.rest.set(viaRest, t1);
    await api(server.base, ownerToken, "POST", `/v1/channels/${room.id}/messages`, { body: viaRest }, { "Idempotency-Key": viaRest });
    answered.rest.push(performance.now() - t1);
  }
  const deadline = Date.now() + 10_000;
  while (subs.some((s) => s.arrivals.size < 2 * SENDS) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const rows = [];
  for (const kind of ["socket", "rest"]) {
    const latencies = [];
    let missing = 0;
    for (const s of subs) {
      for (const [body, t0] of sentAt[kind]) {
        const t1 = s.arrivals.get(body);
        if (t1 === undefined) missing++;
        else latencies.push(t1 - t0);
      }
    }
    latencies.sort((a, b) => a - b);
    const answers = answered[kind].sort((a, b) => a - b);
    rows.push({ subscriberCount, kind, deliveries: latencies.length, missing, p50: percentile(latencies, 50), p90: percentile(latencies, 90), answerP50: percentile(answers, 50) });
  }
  for (const s of [...subs.map((x) => x.ws), sender]) s.close();
  return rows;
}

try {
  const rows = [];
  for (const n of [1, 50]) rows.push(...(await run(n)));
  console.log(`\nSend → other subscribers' delivery, ${SENDS} socket and ${SENDS} REST sends alternating, one at a time (local wrangler dev, loopback)\n`);
  console.log("| subscribers | send | deliveries | missing | p50 ms | p90 ms | answer (ack / 201) p50 ms |\n| --- | --- | --- | --- | --- | --- | --- |");
  for (const r of rows) {
    const kind = r.kind === "socket" ? "socket `send`" : "REST POST";
    console.log(`| ${r.subscriberCount} | ${kind} | ${r.deliveries} | ${r.missing} | ${r.p50.toFixed(1)} | ${r.p90.toFixed(1)} | ${r.answerP50.toFixed(1)} |`);
  }
} finally {
  server.stop();
}
