// A real HTTP receiver for the webhook tests, in Node (vitest.config.ts starts it; the Worker under
// test reaches it over loopback, which DEV_LOGIN=true allows). Deliveries are recorded per bucket:
//   POST /hooks/<bucket>?fail=N&status=S&delay=MS&slow=K  answers S (default 500) to the first N
//                                         attempts of each X-Webhook-Id, then 200; after MS
//                                         milliseconds (only the first K attempts, when K is given)
//   GET  /log/<bucket>                    what arrived: [{at, headers, body, body_base64, answered}], oldest first
import { createServer } from "node:http";

export async function startReceiver() {
  const buckets = new Map();
  const attempts = new Map();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://receiver");
    const [, kind, bucket] = url.pathname.split("/");
    if (req.method === "GET" && kind === "log" && bucket) {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(buckets.get(bucket) ?? []));
      return;
    }
    if (req.method !== "POST" || kind !== "hooks" || !bucket) {
      res.writeHead(404).end();
      return;
    }
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const id = `${bucket} ${req.headers["x-webhook-id"]}`;
      const seen = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, seen);
      const failing = seen <= Number(url.searchParams.get("fail") ?? 0);
      const answered = failing ? Number(url.searchParams.get("status") ?? 500) : 200;
      const log = buckets.get(bucket) ?? [];
      // body_base64: the bytes as sent (push bodies are encrypted, not text).
      const raw = Buffer.concat(chunks);
      log.push({ at: Date.now(), headers: req.headers, body: raw.toString("utf8"), body_base64: raw.toString("base64url"), answered });
      buckets.set(bucket, log);
      const answer = () => res.writeHead(answered, { "Content-Type": "text/plain" }).end(failing ? "failing on purpose" : "ok");
      const slow = url.searchParams.has("slow") ? seen <= Number(url.searchParams.get("slow")) : true;
      setTimeout(answer, slow ? Number(url.searchParams.get("delay") ?? 0) : 0);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref(); // never keeps vitest alive
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}
