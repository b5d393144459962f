// A real HTTP receiver for the webhook tests, in Node (vitest.config.ts starts it; the Worker under
// test reaches it over loopback, which DEV_LOGIN=true allows). Deliveries are recorded per bucket:
//   POST /hooks/<bucket>?fail=N&status=S&delay=MS&slow=K  answers S (default 500) to the first N
//                                         attempts of each X-Webhook-Id, then 200; after MS
//                                         milliseconds (only the first K attempts, when K is given)
//   GET  /log/<bucket>                    what arrived: [{at, headers, body, body_base64, answered}], oldest first
//   GET  /pages/<bucket>/<kind>           a page for the link-preview tests (servePage below), logged
//                                         in the bucket as {at, path, host, finished}
import { createServer } from "node:http";

// A 1×1 transparent PNG.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");
const html = (head) => `<!doctype html><html><head>${head}</head><body><p>Hello</p></body></html>`;

/**
 * og | twitter | title: a page with Open Graph tags, a Twitter card, or only a <title> (og's and
 * twitter's images are on `localhost`, the page on 127.0.0.1: another host name, so a test can tell
 * the image's host is never named); redirect?to=URL: a 302; big: 10 MB of HTML (a description
 * after the first 512 KB); hang: headers never come; json: not HTML; image.png: the image.
 */
function servePage(req, res, kind, url, entry) {
  const port = req.socket.localPort;
  const image = `http://localhost:${port}${url.pathname.replace(/[^/]*$/, "image.png")}`;
  const send = (type, body) => {
    res.writeHead(200, { "Content-Type": type });
    res.end(body, () => (entry.finished = true));
  };
  if (kind === "og") return send("text/html; charset=utf-8", html(`<title>Ignored title</title><meta property="og:title" content="An OG &amp; title"><meta property="og:description" content="OG description"><meta property="og:site_name" content="Example Site"><meta property="og:image" content="${image}">`));
  if (kind === "twitter") return send("text/html", html(`<meta name="twitter:card" content="summary"><meta name="twitter:title" content="Twitter title"><meta name="twitter:description" content="Twitter description"><meta name="twitter:image" content="${image}">`));
  if (kind === "title") return send("text/html", html("<title>Only a title</title>"));
  if (kind === "json") return send("application/json", JSON.stringify({ title: "not html" }));
  if (kind === "image.png") return send("image/png", PNG);
  if (kind === "redirect") {
    res.writeHead(302, { Location: url.searchParams.get("to") ?? "/" });
    return res.end();
  }
  if (kind === "hang") return; // never answers: the socket stays open until the client gives up
  if (kind === "big") {
    res.writeHead(200, { "Content-Type": "text/html" });
    res.write("<!doctype html><html><head><title>Big page</title>");
    const chunk = `<!-- ${"x".repeat(64 * 1024 - 9)} -->`;
    let sent = 0;
    const more = () => {
      while (sent < 160) {
        sent++;
        if (!res.write(chunk)) return res.once("drain", more);
      }
      res.end('<meta property="og:description" content="beyond the cut"></head><body></body></html>', () => (entry.finished = true));
    };
    res.on("close", () => (entry.closedEarly = !entry.finished));
    return more();
  }
  res.writeHead(404).end();
}

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
    if (req.method === "GET" && kind === "pages" && bucket) {
      const entry = { at: Date.now(), path: url.pathname, host: req.headers.host, finished: false };
      const log = buckets.get(bucket) ?? [];
      log.push(entry);
      buckets.set(bucket, log);
      servePage(req, res, url.pathname.split("/")[3] ?? "", url, entry);
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
