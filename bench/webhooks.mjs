// Webhook delivery against a real `wrangler dev` (local queue, D1) and a local Node HTTP receiver:
//   1. latency: sequential sends, time from just before POST …/messages to the receiver's arrival;
//   2. throughput: a burst of messages to several webhooks, deliveries per second until the last arrives.
import { createServer } from "node:http";
import { ensureDevVars } from "../scripts/dev-vars.mjs";
import { api, percentile, startServer } from "./server.mjs";

const SENDS = Number(process.env.BENCH_SENDS ?? 100);
const BURST = Number(process.env.BENCH_BURST ?? 100);
const HOOKS = Number(process.env.BENCH_HOOKS ?? 20);
const CONCURRENCY = 8;

/** Arrivals per webhook path: message body → performance.now(). */
const arrivals = new Map();
const receiver = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const at = performance.now();
    const event = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    if (event.type === "message") {
      if (!arrivals.has(req.url)) arrivals.set(req.url, new Map());
      arrivals.get(req.url).set(event.data.body, at);
    }
    res.writeHead(200).end("ok");
  });
});
await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const hookBase = `http://127.0.0.1:${receiver.address().port}`;

const server = await startServer({ port: process.env.BENCH_PORT ?? 8792 });
const { ADMIN_TOKEN } = ensureDevVars();
const admin = (method, url, body) => api(server.base, ADMIN_TOKEN, method, url, body);

async function waitFor(path, bodies, ms = 120_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && bodies.some((b) => !arrivals.get(path)?.has(b))) await new Promise((r) => setTimeout(r, 20));
}

async function latency(owner, channelId) {
  const { json: hook } = await admin("POST", "/admin/v1/webhooks", { url: `${hookBase}/latency`, events: ["message"], secret: "bench" });
  const sentAt = new Map();
  const answered = [];
  for (let i = 0; i < SENDS; i++) {
    const body = `l${i}`;
    const t0 = performance.now();
    sentAt.set(body, t0);
    await api(server.base, owner, "POST", `/v1/channels/${channelId}/messages`, { body });
    answered.push(performance.now() - t0);
  }
  await waitFor("/latency", [...sentAt.keys()]);
  const got = arrivals.get("/latency") ?? new Map();
  const latencies = [...sentAt].filter(([b]) => got.has(b)).map(([b, t0]) => got.get(b) - t0).sort((a, b) => a - b);
  await admin("DELETE", `/admin/v1/webhooks/${hook.id}`);
  answered.sort((a, b) => a - b);
  return { deliveries: latencies.length, missing: SENDS - latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), answer50: percentile(answered, 50) };
}

async function throughput(owner, channelId) {
  const paths = Array.from({ length: HOOKS }, (_, i) => `/burst${i}`);
  for (const path of paths) await admin("POST", "/admin/v1/webhooks", { url: hookBase + path, events: ["message"], secret: "bench" });
  const bodies = Array.from({ length: BURST }, (_, i) => `b${i}`);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) await api(server.base, owner, "POST", `/v1/channels/${channelId}/messages`, { body: bodies[next++] });
    }),
  );
  const sent = performance.now() - started;
  for (const path of paths) await waitFor(path, bodies);
  const last = Math.max(...paths.flatMap((p) => [...(arrivals.get(p)?.values() ?? [])]));
  const delivered = paths.reduce((n, p) => n + (arrivals.get(p)?.size ?? 0), 0);
  return { delivered, expected: BURST * HOOKS, sendSeconds: sent / 1000, seconds: (last - started) / 1000, perSecond: delivered / ((last - started) / 1000) };
}

try {
  const owner = await server.token("bench-owner");
  const { json: group } = await api(server.base, owner, "POST", "/v1/channels", { type: "group", name: "webhook bench" });
  // Warm up: the isolate's lease, the subscription list, the queue consumer.
  await admin("POST", "/admin/v1/webhooks", { url: `${hookBase}/warm`, events: ["message"] }).then(({ json }) => waitWarm(owner, group.id, json.id));
  const l = await latency(owner, group.id);
  const t = await throughput(owner, group.id);
  console.log(`\nWebhook delivery (local wrangler dev + Node receiver on loopback, 2 shared cores)\n`);
  console.log("| run | deliveries | missing | p50 ms | p99 ms |\n| --- | --- | --- | --- | --- |");
  console.log(`| ${SENDS} sequential sends, 1 webhook: send → receiver | ${l.deliveries} | ${l.missing} | ${l.p50.toFixed(1)} | ${l.p99.toFixed(1)} |`);
  console.log(`\n(the POST itself answered in ${l.answer50.toFixed(1)} ms at p50)`);
  console.log(`\n| burst | deliveries | sends took s | last arrival after s | deliveries / s |\n| --- | --- | --- | --- | --- |`);
  console.log(`| ${BURST} messages (${CONCURRENCY} at a time) × ${HOOKS} webhooks | ${t.delivered}/${t.expected} | ${t.sendSeconds.toFixed(2)} | ${t.seconds.toFixed(2)} | ${t.perSecond.toFixed(0)} |`);
} finally {
  server.stop();
  receiver.closeAllConnections();
  receiver.close();
}

async function waitWarm(owner, channelId, hookId) {
  await api(server.base, owner, "POST", `/v1/channels/${channelId}/messages`, { body: "warm" });
  await waitFor("/warm", ["warm"], 30_000);
  await admin("DELETE", `/admin/v1/webhooks/${hookId}`);
}
