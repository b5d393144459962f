// Send → deliver latency over real WebSockets for 1, 50 and 200 subscribers of one room,
// against a local `wrangler dev`: time from just before POST …/messages to each subscriber's frame.
import { api, percentile, startServer } from "./server.mjs";

const SENDS = Number(process.env.BENCH_SENDS ?? 50);
const server = await startServer({ port: process.env.BENCH_PORT ?? 8791 });

async function subscriber(channelId, index) {
  const id = `sub${index}`;
  const token = await server.token(id);
  await api(server.base, token, "POST", `/v1/channels/${channelId}/members`, { user_id: id });
  // On two busy cores a handshake now and then fails: a fresh ticket and socket, up to three times.
  for (let attempt = 1; ; attempt++) {
    const { json } = await api(server.base, token, "POST", `/v1/channels/${channelId}/ws-ticket`);
    const ws = new WebSocket(`${server.base.replace("http", "ws")}/v1/channels/${channelId}/ws?ticket=${json.ticket}`);
    const arrivals = new Map();
    try {
      await new Promise((resolve, reject) => {
        ws.addEventListener("message", (e) => {
          const frame = JSON.parse(e.data);
          if (frame.type === "ready") resolve();
          if (frame.type === "message") arrivals.set(frame.data.body, performance.now());
        });
        ws.addEventListener("error", () => reject(new Error(`subscriber ${id}: WebSocket error before ready`)));
      });
      return { ws, arrivals };
    } catch (err) {
      ws.close();
      if (attempt === 3) throw err;
    }
  }
}

async function run(subscriberCount) {
  const ownerToken = await server.token(`owner${subscriberCount}`);
  const { json: room } = await api(server.base, ownerToken, "POST", "/v1/channels", { type: "room", name: `bench ${subscriberCount}` });
  const subs = [];
  for (let i = 0; i < subscriberCount; i++) subs.push(await subscriber(room.id, `${subscriberCount}-${i}`));
  const sentAt = new Map();
  for (let i = 0; i < SENDS; i++) {
    const body = `m${i}`;
    sentAt.set(body, performance.now());
    await api(server.base, ownerToken, "POST", `/v1/channels/${room.id}/messages`, { body });
  }
  // Wait until every subscriber has every message (or 10 s).
  const deadline = Date.now() + 10_000;
  while (subs.some((s) => s.arrivals.size < SENDS) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const latencies = [];
  let missing = 0;
  for (const s of subs) {
    for (const [body, t0] of sentAt) {
      const t1 = s.arrivals.get(body);
      if (t1 === undefined) missing++;
      else latencies.push(t1 - t0);
    }
    s.ws.close();
  }
  latencies.sort((a, b) => a - b);
  return { subscriberCount, deliveries: latencies.length, missing, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

try {
  const rows = [];
  for (const n of [1, 50, 200]) rows.push(await run(n));
  console.log(`\nSend → deliver latency, ${SENDS} sequential sends per run (local wrangler dev, loopback)\n`);
  console.log("| subscribers | deliveries | missing | p50 ms | p99 ms |\n| --- | --- | --- | --- | --- |");
  for (const r of rows) console.log(`| ${r.subscriberCount} | ${r.deliveries} | ${r.missing} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} |`);
} finally {
  server.stop();
}
