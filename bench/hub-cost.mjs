// Cost of the user sockets per message: a room of 200 members, of whom 0, 10 and then 200 hold a
// user socket (GET /v1/ws). For each, 30 sequential sends: the send's D1 cost (Server-Timing: the
// one query that finds the connected members is in it), its latency, and the `notify` frames the
// user sockets got (= hub calls: one per connected member, none for the others).
import { api, d1Cost, percentile, startServer } from "./server.mjs";

const SENDS = Number(process.env.BENCH_SENDS ?? 30);
const MEMBERS = 200;
const server = await startServer({ port: process.env.BENCH_PORT ?? 8793 });

async function userSocket(token, arrivals) {
  for (let attempt = 1; ; attempt++) {
    const { json } = await api(server.base, token, "POST", "/v1/ws-ticket");
    const ws = new WebSocket(`${server.base.replace("http", "ws")}/v1/ws?ticket=${json.ticket}`);
    try {
      await new Promise((resolve, reject) => {
        ws.addEventListener("message", (e) => {
          const frame = JSON.parse(e.data);
          if (frame.type === "ready") resolve();
          if (frame.type === "notify") arrivals.push({ id: frame.data.message_id, at: performance.now() });
        });
        ws.addEventListener("error", () => reject(new Error("user socket error before ready")));
      });
      return ws;
    } catch (err) {
      ws.close();
      if (attempt === 3) throw err;
    }
  }
}

const ms = (v) => (Number.isNaN(v) ? "–" : v.toFixed(1));

try {
  const ownerToken = await server.token("hub-owner");
  const { json: room } = await api(server.base, ownerToken, "POST", "/v1/channels", { type: "room", name: "hub cost" });
  const members = [];
  for (let i = 0; i < MEMBERS; i++) {
    const token = await server.token(`hub-member-${i}`);
    await api(server.base, token, "POST", `/v1/channels/${room.id}/members`, { user_id: `hub-member-${i}` });
    members.push(token);
  }
  const arrivals = [];
  const sockets = [];
  const rows = [];
  for (const connected of [0, 10, 200]) {
    while (sockets.length < connected) sockets.push(await userSocket(members[sockets.length], arrivals));
    arrivals.length = 0;
    const sentAt = new Map();
    const costs = [];
    const latencies = [];
    for (let i = 0; i < SENDS; i++) {
      const t0 = performance.now();
      const { res, json } = await api(server.base, ownerToken, "POST", `/v1/channels/${room.id}/messages`, { body: `m${i}` });
      latencies.push(performance.now() - t0);
      sentAt.set(json.id, t0);
      costs.push(d1Cost(res));
    }
    const deadline = Date.now() + 10_000;
    while (arrivals.length < SENDS * connected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const notifyMs = arrivals.map((a) => a.at - sentAt.get(a.id)).sort((a, b) => a - b);
    latencies.sort((a, b) => a - b);
    const avg = (f) => costs.reduce((s, c) => s + f(c), 0) / costs.length;
    rows.push({
      connected,
      queries: avg((c) => c.queries),
      read: avg((c) => c.read),
      hubCalls: arrivals.length / SENDS,
      sendP50: percentile(latencies, 50),
      sendP99: percentile(latencies, 99),
      notifyP50: notifyMs.length ? percentile(notifyMs, 50) : NaN,
      notifyP99: notifyMs.length ? percentile(notifyMs, 99) : NaN,
      missing: SENDS * connected - arrivals.length,
    });
  }
  for (const ws of sockets) ws.close();
  console.log(`\nUser sockets: cost per message in a room of ${MEMBERS + 1} members, ${SENDS} sequential sends each (local wrangler dev)\n`);
  console.log("| user sockets open | hub calls / message | D1 queries / send | rows read / send | send p50 ms | send p99 ms | notify p50 ms | notify p99 ms | missing |");
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const r of rows) {
    console.log(`| ${r.connected} | ${r.hubCalls} | ${r.queries.toFixed(1)} | ${r.read.toFixed(1)} | ${r.sendP50.toFixed(1)} | ${r.sendP99.toFixed(1)} | ${ms(r.notifyP50)} | ${ms(r.notifyP99)} | ${r.missing} |`);
  }
  // Issue #24: every `notify` to 200 connected members of one room within a second (p99).
  const all = rows.find((r) => r.connected === 200);
  if (all) console.log(`\n${all.notifyP99 <= 1000 && all.missing === 0 ? "PASS" : "FAIL"}  notify p99 with 200 user sockets: ${ms(all.notifyP99)} ms, ${all.missing} missing (≤ 1000 ms, none missing)`);
} finally {
  server.stop();
}
