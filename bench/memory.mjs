// Durable Object memory, against a local `wrangler dev`: does a room with 10,000 hibernated sockets,
// and a hub with 1,000 channels, stay within a Durable Object's 128 MB?
//   Hub (first): one user in MEMORY_CHANNELS groups (created by other users, who then send one
//   message in each) opens the user socket (GET /v1/ws): going online tells every group's room
//   (presence), then the hub sequences one `notify` per message (each checked to arrive once); then
//   the user opens channel sockets on 100 of the groups (each room reports them to the hub); then all
//   idle MEMORY_IDLE_MS (workerd evicts an object holding only hibernatable sockets after ~10 s).
//   Room: MEMORY_USERS users (default: sockets / 10) join one room and open MEMORY_SOCKETS channel
//   sockets on it, user by user; measured before, with all open, after MEMORY_IDLE_MS idle, and after
//   one REST message reached every socket (each exactly once; send → last delivery timed). The hub's
//   sockets stay open meanwhile; at the end a heap snapshot gives the live heap of it all.
//
// Two measures, both UPPER BOUNDS of what one object holds:
// - RSS (VmRSS) of the one workerd process that runs the Worker, every Durable Object and local D1
//   (wrangler's dev proxy is another workerd, not counted). A delta also holds the Worker, every
//   other object woken meanwhile (the room's members' hubs, the groups' rooms), SQLite's caches,
//   allocator slack, and each connection's state and buffers in workerd outside any isolate: a
//   minimal Worker whose object only accepts hibernatable sockets already grows this workerd's RSS
//   by ~430 KB a socket. None of that counts against an object's 128 MB in production.
// - The isolate's JS heap (used + array buffers), read through wrangler's inspector proxy: the one
//   isolate the Worker and every object of this script share, which is what the 128 MB limits.
//   Garbage included (no GC is forced until the end, where a heap snapshot forces one).
// Below 128 MB in either means below 128 MB there; above it means "not proven", not "over".
//
//   npm run bench:memory
//   MEMORY_SOCKETS=500 MEMORY_CHANNELS=50 MEMORY_IDLE_MS=15000 npm run bench:memory   (quick run)
//
// Sockets and REST calls go straight to the runtime workerd's own port, not through wrangler's
// proxy: the proxy adds nothing to the runtime's memory, would need two more descriptors per socket,
// and there is no such proxy in production. workerd holds two descriptors per socket (it duplicates
// each connection's), so the bench raises workerd's open-file limit (prlimit) to 2 × MEMORY_SOCKETS +
// 1,500 where it may; where the hard limit is lower (a container's 20,000, which even root cannot
// raise), the room gets as many sockets as fit, and the output adds the linear estimate for
// MEMORY_SOCKETS. (The hub goes first for that: its 1,000 rooms' files are closed once they are evicted.)
// The full run takes several GB of RAM (workerd's per-connection cost) and about 20 minutes on two
// cores; it stops if the machine has less than 3 GB left.
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { api, startServer } from "./server.mjs";

const WANTED = Number(process.env.MEMORY_SOCKETS ?? 10_000);
let SOCKETS = WANTED; // fewer when workerd may not open enough files
const PER_USER = 10; // sockets per user: a user's devices and tabs
const USERS = Number(process.env.MEMORY_USERS ?? Math.ceil(WANTED / PER_USER));
const CHANNELS = Number(process.env.MEMORY_CHANNELS ?? 1000);
const HUB_SOCKETS = Math.min(100, CHANNELS); // channel sockets the hub's user opens
const IDLE_MS = Number(process.env.MEMORY_IDLE_MS ?? 30_000);
const CONCURRENCY = 50;
const PORT = Number(process.env.BENCH_PORT ?? 8811);
// workerd holds two descriptors per socket (each connection's is duplicated), and three per awake
// object (its SQLite database, -wal, -shm): spare for those, REST connections and its other files.
const SPARE_FILES = 1500;
const MIN_FREE_MB = 3000; // stop before the machine runs short (other work shares it)
const LIMIT_MB = 128;
// The limiter allows each user 600 requests a minute: each creator makes 2 per group.
const CREATORS = Math.ceil(CHANNELS / 100);

const began = performance.now();
const log = (line) => console.log(`· ${((performance.now() - began) / 1000).toFixed(0)}s ${line}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `fn` over `items`, at most `n` at a time. */
async function pool(items, n, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

// ---- the workerd process ----------------------------------------------------------------------

const children = (pid) =>
  readdirSync(`/proc/${pid}/task`).flatMap((t) => readFileSync(`/proc/${pid}/task/${t}/children`, "utf8").split(/\s+/).filter(Boolean).map(Number));
const descendants = (pid) => children(pid).flatMap((c) => [c, ...descendants(c)]);
const argv = (pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
const openFiles = (pid) => readdirSync(`/proc/${pid}/fd`).length;
const status = (pid, field) => Number(readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`${field}:\\s+(\\d+) kB`))[1]) / 1024; // MB

/** wrangler's two workerds: the runtime (Worker, Durable Objects, local D1) and its dev proxy, which listens on `PORT`. */
function workerds() {
  const all = descendants(process.pid).filter((p) => argv(p)[0].endsWith("/workerd"));
  const isProxy = (p) => argv(p).includes(`--socket-addr=entry=127.0.0.1:${PORT}`);
  const [runtime, proxy] = [all.filter((p) => !isProxy(p)), all.filter(isProxy)];
  if (runtime.length !== 1 || proxy.length !== 1) throw new Error(`expected a runtime and a proxy workerd, found ${all.join(", ")}`);
  return { runtime: runtime[0], proxy: proxy[0] };
}

/** The port the runtime serves the Worker on: of its listening sockets, the one answering /openapi.json. */
async function runtimePort(pid) {
  const ports = listeningPorts(pid);
  for (const port of ports) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/openapi.json`, { signal: AbortSignal.timeout(5000) });
      if (res.ok && (await res.json()).openapi) return port;
    } catch {}
  }
  throw new Error(`no port of workerd ${pid} (${ports.join(", ")}) serves the API`);
}

/** The TCP ports `pid` listens on (its socket inodes in /proc/net/tcp). */
function listeningPorts(pid) {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        return [readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^socket:\[(\d+)\]$/)?.[1]].filter(Boolean);
      } catch {
        return [];
      }
    }),
  );
  const rows = readFileSync("/proc/net/tcp", "utf8").trim().split("\n").slice(1).map((line) => line.trim().split(/\s+/));
  return rows.filter((c) => c[3] === "0A" && inodes.has(c[9])).map((c) => parseInt(c[1].split(":")[1], 16));
}

/**
 * A DevTools session on wrangler's inspector proxy (its workerd's other port: the runtime's own
 * inspector takes one session, wrangler's). Kept open: while no client is attached the proxy
 * buffers every console line (one per request here), and thousands of them take minutes to hand
 * over. `call(method)` resolves with the answer's result.
 */
async function connectInspector() {
  const [port] = listeningPorts(proxyWorkerd).filter((p) => p !== PORT);
  const [target] = await (await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(5000) })).json();
  const ws = new WebSocket(target.webSocketDebuggerUrl, { headers: { Origin: "http://localhost" } }); // the proxy wants an Origin
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve);
    ws.addEventListener("error", () => reject(new Error("inspector refused (DevTools attached?)")));
  });
  const pending = new Map();
  let next = 0;
  ws.addEventListener("message", (e) => {
    // Skipped: console lines, heap snapshot chunks.
    if (typeof e.data !== "string" || !e.data.startsWith('{"id":')) return;
    const { id, result } = JSON.parse(e.data);
    pending.get(id)?.resolve(result ?? {}); // a heap snapshot is answered with its request echoed
  });
  ws.addEventListener("close", () => {
    inspector = undefined;
    for (const { reject } of pending.values()) reject(new Error("inspector closed"));
  });
  const call = (method, seconds = 30) => {
    const id = ++next;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method}: no answer within ${seconds} s`)), seconds * 1000);
      const done = (f) => (value) => {
        clearTimeout(timer);
        pending.delete(id);
        f(value);
      };
      pending.set(id, { resolve: done(resolve), reject: done(reject) });
      ws.send(JSON.stringify({ id, method }));
    });
  };
  return { call };
}
let inspector;

/**
 * The isolate's JS heap (used + array buffers, MB): the Worker and every Durable Object of this
 * script share one isolate. Garbage counts, unless `collect`: workerd ignores
 * HeapProfiler.collectGarbage, but a heap snapshot collects first, so one is taken and thrown away;
 * it leaves workerd's RSS 100+ MB higher, so only at the end. Undefined when it cannot be read.
 */
async function isolateHeap(collect = false) {
  try {
    inspector ??= await connectInspector();
    if (collect) {
      const t0 = performance.now();
      await inspector.call("HeapProfiler.enable");
      await inspector.call("HeapProfiler.takeHeapSnapshot", 600);
      log(`heap snapshot (forces a full GC) in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
    const { usedSize, backingStorageSize } = await inspector.call("Runtime.getHeapUsage");
    if (collect) await inspector.call("HeapProfiler.disable"); // drops the snapshot and the profiler's object ids
    return (usedSize + backingStorageSize) / 1048576;
  } catch (err) {
    log(`isolate heap not read: ${err.message}`);
    return undefined;
  }
}

/** Throws when the machine's available memory runs low (workerd grows by hundreds of KB a socket). */
function checkFreeMemory() {
  const free = Number(readFileSync("/proc/meminfo", "utf8").match(/MemAvailable:\s+(\d+)/)[1]) / 1024;
  if (free < MIN_FREE_MB) throw new Error(`only ${free.toFixed(0)} MB of memory left on the machine: stopping (lower MEMORY_SOCKETS)`);
}

/** Raises a process's open-file limit to `want` where allowed (prlimit; past the hard limit, root only); the soft limit in force. */
function raiseFileLimit(pid, want) {
  const limits = () => readFileSync(`/proc/${pid}/limits`, "utf8").match(/Max open files\s+(\d+)\s+(\d+)/).slice(1).map(Number);
  const [soft, hard] = limits();
  if (soft < want) spawnSync("prlimit", ["--pid", String(pid), `--nofile=${Math.min(want, hard)}:${hard}`]);
  if (hard < want) spawnSync("prlimit", ["--pid", String(pid), `--nofile=${want}:${want}`]);
  return limits()[0];
}

// ---- sockets ----------------------------------------------------------------------------------

let base; // the runtime's own http://127.0.0.1:port

/**
 * Opens a socket through a fresh ticket (`ticketPath` → `wsPath?ticket=`), resolving at `ready`;
 * `onFrame` sees every later frame. On two busy cores a handshake now and then fails: retried.
 */
async function open(token, ticketPath, wsPath, onFrame) {
  for (let attempt = 1; ; attempt++) {
    let ws;
    try {
      const { json } = await api(base, token, "POST", ticketPath);
      ws = new WebSocket(`${base.replace("http", "ws")}${wsPath}?ticket=${json.ticket}`);
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no ready within 30 s")), 30_000);
        ws.addEventListener("message", (e) => {
          const frame = JSON.parse(e.data);
          if (frame.type === "ready") {
            clearTimeout(timer);
            resolve();
          } else onFrame(frame);
        });
        ws.addEventListener("error", () => reject(new Error("WebSocket error before ready")));
        ws.addEventListener("close", (e) => reject(new Error(`closed before ready (${e.code})`)));
      });
      return ws;
    } catch (err) {
      ws?.close();
      if (attempt === 5) throw err;
      await sleep(200 * attempt);
    }
  }
}

/** Waits until `done()` or `ms` passed; then a little longer, so a duplicate would show. */
async function until(done, ms) {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await sleep(10);
  await sleep(2000);
}

// ---- the run ----------------------------------------------------------------------------------

const rows = []; // { phase, rss, heap, delta, per, unit }
let server;
let fileLimit; // workerd's
let workerd; // the runtime's pid
let proxyWorkerd;

/** A table row: RSS now (after a short settle), its delta from `from`, per `units` of `unit`; the isolate's heap. */
async function measure(phase, from, units, unit) {
  await sleep(2000);
  const rss = status(workerd, "VmRSS");
  const heap = await isolateHeap();
  rows.push({ phase, rss, heap, delta: from === undefined ? undefined : rss - from, per: units ? ((rss - from) * 1024) / units : undefined, unit });
  log(`${phase}: RSS ${rss.toFixed(1)} MB, isolate heap ${heap?.toFixed(1) ?? "?"} MB, ${openFiles(workerd)} files open`);
  return rows.at(-1);
}

async function roomPhase() {
  const owner = await server.token("mem-owner");
  const { json: room } = await api(base, owner, "POST", "/v1/channels", { type: "room", name: "memory bench" });
  const users = Array.from({ length: USERS }, (_, i) => `mem-u${i}`);
  const tokens = await Promise.all(users.map((id) => server.token(id)));
  await pool(users, CONCURRENCY, (id, i) => api(base, tokens[i], "POST", `/v1/channels/${room.id}/members`, { user_id: id }));
  log(`room ${room.id}: ${USERS} members joined`);
  const { rss: before } = await measure(`room: ${USERS} members, no sockets`);
  const fit = Math.floor((fileLimit - openFiles(workerd) - SPARE_FILES) / 2);
  if (fit < SOCKETS) {
    SOCKETS = fit;
    log(`workerd may open ${fileLimit} files (a hard limit this user cannot raise): ${SOCKETS} sockets, not ${WANTED}`);
  }

  // Per socket: how often the message arrived, and when it last did.
  const body = `memory bench ${Date.now()}`;
  const got = new Uint8Array(SOCKETS);
  let lastAt = 0;
  const sockets = new Array(SOCKETS);
  await pool([...Array(SOCKETS).keys()], CONCURRENCY, async (i) => {
    // User by user: a user's hub (told of each socket) idles, and is evicted, once their sockets are open.
    sockets[i] = await open(tokens[Math.floor((i * USERS) / SOCKETS)], `/v1/channels/${room.id}/ws-ticket`, `/v1/channels/${room.id}/ws`, (f) => {
      if (f.type === "message" && f.data.body === body) {
        got[i]++;
        lastAt = performance.now();
      }
    });
    if ((i + 1) % 1000 === 0) log(`${i + 1} sockets open, workerd RSS ${status(workerd, "VmRSS").toFixed(0)} MB, ${openFiles(workerd)} files open`);
    if (i % 100 === 0) checkFreeMemory();
  });
  await measure(`room: ${SOCKETS} sockets open`, before, SOCKETS, "socket");
  await sleep(IDLE_MS);
  await measure(`room: idle ${IDLE_MS / 1000} s (hibernated)`, before, SOCKETS, "socket");

  const sentAt = performance.now();
  await api(base, owner, "POST", `/v1/channels/${room.id}/messages`, { body });
  await until(() => got.every((n) => n >= 1), 60_000);
  const delivered = got.filter((n) => n >= 1).length;
  const twice = got.filter((n) => n > 1).length;
  await measure(`room: 1 message to ${SOCKETS} sockets`, before, SOCKETS, "socket");
  return { sockets, delivered, twice, lastMs: lastAt - sentAt, before };
}

async function hubPhase() {
  const me = "mem-hub";
  const myToken = await server.token(me);
  const creators = Array.from({ length: CREATORS }, (_, i) => `mem-creator${i}`);
  const creatorTokens = await Promise.all(creators.map((id) => server.token(id)));
  // Users exist from their first request on: group members must.
  await api(base, myToken, "GET", "/v1/channels");
  const { rss: before } = await measure("hub: start");

  const channels = new Array(CHANNELS);
  await pool([...Array(CHANNELS).keys()], 20, async (i) => {
    const { json } = await api(base, creatorTokens[i % CREATORS], "POST", "/v1/channels", { type: "group", name: `memory ${i}`, member_ids: [me] });
    channels[i] = json.id;
  });
  log(`${CHANNELS} groups created`);
  await measure(`hub: member of ${CHANNELS} groups`, before, CHANNELS, "channel");

  // Going online tells the rooms of all those groups (presence).
  const notified = new Map(); // channel id → notify frames
  const userSocket = await open(myToken, "/v1/ws-ticket", "/v1/ws", (f) => {
    if (f.type === "notify") notified.set(f.data.channel_id, (notified.get(f.data.channel_id) ?? 0) + 1);
  });
  await measure("hub: user socket open", before, CHANNELS, "channel");

  await pool([...Array(CHANNELS).keys()], 20, (i) => api(base, creatorTokens[i % CREATORS], "POST", `/v1/channels/${channels[i]}/messages`, { body: `m${i}` }));
  await until(() => notified.size >= CHANNELS, 60_000);
  const notifies = [...notified.values()];
  const notify = { channels: channels.filter((id) => notified.get(id) >= 1).length, twice: notifies.filter((n) => n > 1).length };
  await measure(`hub: ${CHANNELS} notify frames sent`, before, CHANNELS, "channel");

  const channelSockets = [];
  await pool(channels.slice(0, HUB_SOCKETS), 10, async (id) => {
    channelSockets.push(await open(myToken, `/v1/channels/${id}/ws-ticket`, `/v1/channels/${id}/ws`, () => {}));
  });
  await measure(`hub: + ${HUB_SOCKETS} channel sockets`, before, CHANNELS, "channel");
  await sleep(IDLE_MS);
  await measure(`hub: idle ${IDLE_MS / 1000} s (hibernated)`, before, CHANNELS, "channel");
  return { notify, sockets: [userSocket, ...channelSockets] };
}

process.on("exit", () => server?.stop());
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));

try {
  server = await startServer({ port: PORT });
  ({ runtime: workerd, proxy: proxyWorkerd } = workerds());
  base = `http://127.0.0.1:${await runtimePort(workerd)}`;
  fileLimit = raiseFileLimit(workerd, 2 * WANTED + SPARE_FILES);
  if (raiseFileLimit(process.pid, WANTED + SPARE_FILES) < WANTED + SPARE_FILES) throw new Error("this process may not open enough files: raise ulimit -n");
  log(`workerd ${workerd} serves ${base} (may open ${fileLimit} files); ${WANTED} sockets from ${USERS} users, hub of ${CHANNELS} channels`);

  // The hub first: its 1,000 group rooms, once evicted, hold no files the room's sockets need.
  const hub = await hubPhase();
  const room = await roomPhase();
  const peak = status(workerd, "VmHWM"); // before the snapshot below, which raises it
  const live = await isolateHeap(true);

  console.log(`\nDurable Object memory (local wrangler dev; both measures are upper bounds, see the header)`);
  console.log("RSS: the workerd running the Worker, every Durable Object and local D1; its growth per socket is mostly");
  console.log("workerd's per-connection state outside the isolate. Isolate heap: JS heap + array buffers of the one isolate");
  console.log("the Worker and all objects share (what the 128 MB limits), garbage included.\n");
  console.log(`| phase | RSS MB | Δ RSS MB | Δ RSS per unit KB | Δ RSS ≤ ${LIMIT_MB} MB | isolate heap MB | heap ≤ ${LIMIT_MB} MB |`);
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  const yes = (mb) => (mb === undefined ? "–" : mb <= LIMIT_MB ? "yes" : "no");
  for (const r of rows) {
    const delta = r.delta === undefined ? "–" : r.delta.toFixed(1);
    const per = r.per === undefined ? "–" : `${r.per.toFixed(1)} / ${r.unit}`;
    console.log(`| ${r.phase} | ${r.rss.toFixed(1)} | ${delta} | ${per} | ${yes(r.delta)} | ${r.heap?.toFixed(1) ?? "–"} | ${yes(r.heap)} |`);
  }
  console.log(`\nLive isolate heap after a full GC, right after the message (the room awake, all sockets open): ${live?.toFixed(1) ?? "–"} MB`);
  console.log(`workerd peak RSS (VmHWM) ${peak.toFixed(1)} MB; this client's RSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`);
  console.log(`Room message: delivered to ${room.delivered} of ${SOCKETS} sockets, ${room.twice} more than once; send → last delivery ${room.lastMs.toFixed(0)} ms`);
  console.log(`Hub: notify for ${hub.notify.channels} of ${CHANNELS} channels, ${hub.notify.twice} more than once`);
  console.log(`Run time ${((performance.now() - began) / 1000).toFixed(0)} s`);
  if (SOCKETS < WANTED) {
    // A linear estimate (the log's RSS at every 1,000 sockets shows how straight the line is).
    const [none, open] = rows.filter((r) => r.phase.startsWith("room:"));
    const scale = (from, to) => from + ((to - from) * WANTED) / SOCKETS;
    console.log(
      `Capped at ${SOCKETS} sockets; at ${WANTED}, linearly: Δ RSS ${(scale(0, open.delta)).toFixed(0)} MB, ` +
        `isolate heap ${open.heap === undefined ? "–" : scale(none.heap, open.heap).toFixed(1)} MB (with all open)`,
    );
  }
  const ok = room.delivered === SOCKETS && room.twice === 0 && hub.notify.channels === CHANNELS && hub.notify.twice === 0;
  if (!ok) process.exitCode = 1;
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  server?.stop();
  server = undefined;
  // Thousands of client sockets: exit rather than close each (the server is gone).
  process.exit();
}
