// Fan-out against baselines, with three (or four) local `wrangler dev` servers running at once:
//   project REST    POST /v1/channels/{id}/messages               (this project)
//   project socket  {"type":"send"} on the sender's channel socket (this project)
//   minimal Worker  bench/fanout-minimal: one D1 insert, one broadcast from a hibernating Durable Object
//   demo            cloudflare/workers-chat-demo, when a copy is given (a checkout or a git directory)
//
// Latency: for each subscriber count (FANOUT_SUBS, default 1,50,200), FANOUT_SENDS messages per path
// (default 100, after 3 unmeasured warm-up sends) taking turns between the paths one by one, each
// waiting for its last delivery, so every path sees the same machine load. Measured: from just
// before the send to the frame at the *last* subscriber (the sender's own socket never counts).
// Every room holds the subscribers plus one sender socket.
// Burst: FANOUT_BURST (default 10x500) senders × messages into the largest room, each sender sending
// its next message once the previous one is answered (201, ack, 204, its own echo); the paths take
// turns in two half rounds (A B C D, then D C B A) so none always goes first; messages/second from
// the first send to the last delivery.
// Every run checks that each subscriber got every message exactly once and each sender's messages in
// send order (exit 1 if not). Targets are reported, never fail the run.
//
//   npm run bench:fanout [-- /path/to/workers-chat-demo]     (or DEMO_PATH=…)
//
// The demo runs from a temporary copy whose per-IP RateLimiter budget (4 messages, then one per 5 s,
// which a bench sender exhausts at once) is set to zero; its limiter call per message is kept. Each
// demo socket gets its own CF-Connecting-IP, as browsers would have.
import { rmSync } from "node:fs";
import path from "node:path";
import { startServer, percentile } from "./server.mjs";
import { cleanup, kills, removals, startDemo, startMinimal } from "./fanout-servers.mjs";
import { bye, demoRoom, minimalRoom, projectRoom, stats } from "./fanout-rooms.mjs";
import { bodyOf, newRun } from "./fanout-track.mjs";

const SUBS = (process.env.FANOUT_SUBS ?? "1,50,200").split(",").map(Number);
const SENDS = Number(process.env.FANOUT_SENDS ?? 100);
const [BURST_SENDERS, BURST_EACH] = (process.env.FANOUT_BURST ?? "10x500").split("x").map(Number);
const PORT = Number(process.env.BENCH_PORT ?? 8794); // project; minimal +1; demo +2
const DEMO = process.argv[2] ?? process.env.DEMO_PATH;
const WARMUP = 3; // sends per path and room before the measured ones: the first start the D1 databases and isolates
const began = performance.now();
const log = (line) => console.log(`· ${((performance.now() - began) / 1000).toFixed(0)}s ${line}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let server; // the project's
let latencyResends; // demo resends before the burst

/** A send's answer, or a failed send after 30 s (e.g. its socket closed by a server reload). */
function answered(send) {
  let timer;
  const late = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("no answer within 30 s")), 30_000)));
  return Promise.race([send, late]).finally(() => clearTimeout(timer));
}

process.on("exit", cleanup);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));

// ---- the phases -----------------------------------------------------------------------------

const checks = []; // { phase, path, run }

/** Rooms of `n` subscribers on every server; `paths` as [{ key, label, room, sender(name) }]. */
async function openRooms(n, minimal, demo) {
  const label = `n${n}`;
  log(`opening ${n} subscriber${n === 1 ? "" : "s"} per server`);
  const [project, min, dem] = await Promise.all([projectRoom(server, label, n), minimalRoom(minimal.base, label, n), demo && demoRoom(demo.base, label, n)]);
  return [
    { key: "rest", label: "project REST", room: project, sender: (name) => project.rest(name) },
    { key: "socket", label: "project socket", room: project, sender: (name) => project.socket(name) },
    { key: "minimal", label: "minimal Worker", room: min, sender: () => min.sender() },
    ...(dem ? [{ key: "demo", label: "workers-chat-demo", room: dem, sender: (name) => dem.sender(name) }] : []),
  ];
}

async function latency(n, paths) {
  // One sender each; the REST sender has no socket, the socket sender's one is in the same room.
  for (const p of paths) {
    p.latencySender = await p.sender(`${p.key}-l${n}`);
    p.run = newRun(n, 1, WARMUP + SENDS);
    p.samples = [];
  }
  log(`latency, ${n} subscriber${n === 1 ? "" : "s"}: ${WARMUP} + ${SENDS} sends per path, taking turns`);
  for (let i = 0; i < WARMUP + SENDS; i++) {
    for (const p of paths) {
      const body = bodyOf(p.run.id, 0, i);
      const t0 = performance.now();
      const delivered = p.run.delivered(0, i, 20_000);
      try {
        await answered(p.latencySender.send(body, `${p.run.id}.0.${i}`));
        p.run.sent(0, i);
        const at = await delivered;
        if (i >= WARMUP && !Number.isNaN(at)) p.samples.push(at - t0);
      } catch (err) {
        p.run.failed(0, i, err);
      }
    }
  }
  await sleep(500); // late duplicates
  for (const p of paths) {
    p.latencySender.close();
    checks.push({ phase: `${n} subs`, path: p.label, run: p.run });
    p.samples.sort((a, b) => a - b);
  }
  return paths.map((p) => ({ key: p.key, label: p.label, p50: percentile(p.samples, 50), p90: percentile(p.samples, 90), p99: percentile(p.samples, 99), count: p.samples.length }));
}

async function burst(paths) {
  latencyResends = stats.demoRetries;
  const result = Object.fromEntries(paths.map((p) => [p.key, { label: p.label, messages: 0, ms: 0 }]));
  for (const p of paths) p.senders = await Promise.all(Array.from({ length: BURST_SENDERS }, (_, s) => p.sender(`${p.key}-b${s}`)));
  const halves = [Math.floor(BURST_EACH / 2), BURST_EACH - Math.floor(BURST_EACH / 2)];
  for (const [round, per] of halves.entries()) {
    for (const p of round === 0 ? paths : [...paths].reverse()) {
      if (per === 0) continue;
      log(`burst ${round + 1}/2 ${p.label}: ${BURST_SENDERS} × ${per} to ${p.room.subs.length} subscribers`);
      const run = newRun(p.room.subs.length, BURST_SENDERS, per);
      const start = (run.startedAt = performance.now());
      await Promise.all(p.senders.map(async (sender, s) => {
        for (let i = 0; i < per; i++) {
          try {
            await answered(sender.send(bodyOf(run.id, s, i), `${run.id}.${s}.${i}`));
            run.sent(s, i);
          } catch (err) {
            run.failed(s, i, err);
          }
        }
      }));
      await run.all(30_000);
      result[p.key].messages += run.total;
      result[p.key].ms += run.lastAt - start;
      await sleep(500);
      checks.push({ phase: `burst ${round + 1}`, path: p.label, run });
    }
  }
  for (const p of paths) p.senders.forEach((s) => s.close());
  return result;
}

// ---- the report -----------------------------------------------------------------------------

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : "–");
const ratio = (a, b) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : "–");

function report(tables, bursts, demoNote) {
  const rate = (k) => bursts?.[k] && bursts[k].messages / bursts[k].ms;
  console.log(`\nFan-out: send → last subscriber's frame, ms (local wrangler dev, loopback; ${SENDS} sends per path taking turns)${demoNote}\n`);
  for (const [n, rows] of tables) {
    const by = Object.fromEntries(rows.map((r) => [r.key, r]));
    console.log(`${n} subscriber${n === 1 ? "" : "s"}\n| path | p50 | p90 | p99 | samples |\n| --- | --- | --- | --- | --- |`);
    for (const r of rows) console.log(`| ${r.label} | ${f1(r.p50)} | ${f1(r.p90)} | ${f1(r.p99)} | ${r.count} |`);
    const line = (a, b) => ["p50", "p90", "p99"].map((p) => `${p} ${ratio(by[a]?.[p], by[b]?.[p])}`).join(", ");
    console.log(`project REST / minimal: ${line("rest", "minimal")}; project socket / demo: ${line("socket", "demo")}\n`);
  }
  if (bursts) {
    console.log(`Burst: ${BURST_SENDERS} senders × ${BURST_EACH} messages to ${Math.max(...SUBS)} subscribers (two half rounds, order reversed), first send → last delivery\n| path | messages | seconds | messages/s |\n| --- | --- | --- | --- |`);
    for (const b of Object.values(bursts)) console.log(`| ${b.label} | ${b.messages} | ${f1(b.ms / 1000)} | ${f1(b.messages / (b.ms / 1000))} |`);
    console.log(`project REST / minimal: ${ratio(rate("rest"), rate("minimal"))}; project socket / minimal: ${ratio(rate("socket"), rate("minimal"))}\n`);
  }
  let bad = 0;
  console.log("Delivery check (each subscriber gets each sent message exactly once, each sender's in order)\n| phase | path | sent | deliveries | lost | duplicated | reordered | failed sends |\n| --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const { phase, path: p, run } of checks) {
    const lost = run.lost();
    bad += lost + run.dups + run.reordered + run.errors.length;
    console.log(`| ${phase} | ${p} | ${run.sentCount()} | ${run.deliveries()} | ${lost} | ${run.dups} | ${run.reordered} | ${run.errors.length} |`);
    if (run.errors.length) console.log(`  first error: ${run.errors[0]}`);
  }
  if (stats.lostSockets) console.log(`\n${stats.lostSockets} socket(s) closed by a server during the run`);
  if (stats.demoRetries) {
    const inLatency = latencyResends ?? stats.demoRetries;
    console.log(`demo: ${stats.demoRetries} send(s) refused while the sender's previous limiter call was out, sent again (latency runs ${inLatency}, burst ${stats.demoRetries - inLatency})`);
  }
  const sorted = [...stats.restD1].sort((a, b) => a - b);
  console.log(`\nD1 statements per send: project REST p50 ${percentile(sorted, 50)}, max ${sorted.at(-1)} (Server-Timing); project socket: not exposed; minimal: 1 insert; demo: none (one Durable Object storage put)`);

  const p50 = (n, key) => tables.get(n)?.find((r) => r.key === key)?.p50;
  const target = (name, value, atLeast, limit) => {
    const verdict = !Number.isFinite(value) ? "n/a " : (atLeast ? value >= limit : value <= limit) ? "PASS" : "FAIL";
    console.log(`${verdict}  ${name}: ${Number.isFinite(value) ? `${value.toFixed(2)}×` : "not measured"} (${atLeast ? "≥" : "≤"} ${limit}×)`);
  };
  console.log("\nTargets");
  target("REST p50 at 200 / minimal", p50(200, "rest") / p50(200, "minimal"), false, 1.15);
  target("REST burst / minimal burst", rate("rest") / rate("minimal"), true, 1.0);
  target("REST p50 at 1 / minimal", p50(1, "rest") / p50(1, "minimal"), false, 1.3);
  target("socket p50 at 200 / demo", p50(200, "socket") / p50(200, "demo"), false, 1.0);
  target("socket p50 at 1 / demo", p50(1, "socket") / p50(1, "demo"), false, 3);
  return bad + stats.lostSockets;
}

// ---- main -----------------------------------------------------------------------------------

let failures = 1;
let starting;
try {
  log(`starting servers (project :${PORT}, minimal :${PORT + 1}${DEMO ? `, demo :${PORT + 2}` : ""})`);
  const minimal = await startMinimal(PORT + 1);
  const demo = DEMO ? await startDemo(path.resolve(DEMO), PORT + 2) : undefined;
  starting = startServer({ port: PORT }).then((s) => {
    server = s;
    kills.push(() => s.stop());
    removals.push(() => rmSync(s.state, { recursive: true, force: true })); // again, once its workerd is gone
  });
  await Promise.all([minimal.ready, demo?.ready, starting]);
  const tables = new Map();
  let bursts;
  const largest = Math.max(...SUBS);
  for (const n of SUBS) {
    const paths = await openRooms(n, minimal, demo);
    tables.set(n, await latency(n, paths));
    if (n === largest && BURST_SENDERS > 0 && BURST_EACH > 0) bursts = await burst(paths);
    for (const room of new Set(paths.map((p) => p.room))) room.subs.forEach(bye);
  }
  failures = report(tables, bursts, DEMO ? "" : "\n(demo skipped: pass its path, `npm run bench:fanout -- /path/to/workers-chat-demo`, or DEMO_PATH)");
  console.log(`\n${failures ? "FAILED: messages lost, duplicated, reordered or refused (see above)" : "All deliveries complete"}; ${((performance.now() - began) / 1000).toFixed(0)} s`);
} catch (err) {
  console.error(err);
  await starting?.catch(() => {}); // a project server still starting is stopped as well
} finally {
  cleanup();
  process.exit(failures ? 1 : 0);
}
